package dev.keyroom.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.testing.BenchWorkroom;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session start and the first environment fetch cost a handful of statements, however many tools
 * and endpoints the workroom has: each statement the database executes (a batch counts once) is
 * counted with Jdbi's SQL logger, for the benchmark's workroom (20 tools, 5 endpoints) and for a
 * one-tool workroom in the same tenant.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionStartStatementsTest {
  /**
   * What one start may execute: the caller's token, the workroom (two), the member admitted, the
   * session, its placeholders (one batch), the audit event (three: the chain's head read, the row,
   * the head moved). It was 20 for the benchmark's workroom, growing with its proxied tools.
   */
  static final int START = 9;

  /**
   * What one environment fetch may execute: the session by its token, the workroom (two), the
   * consent, the session's token and placeholders (one), the credentials (one), the deliveries (one
   * batch), the check that none changed meanwhile, the audit event (three), "last used" (one). It
   * was 16.
   */
  static final int ENVIRONMENT = 12;

  TestKeyroom k;
  BenchWorkroom room;
  final List<String> executed = java.util.Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    k = TestKeyroom.sqlite(dir);
    room = BenchWorkroom.create(k, "statements");
    k.keyroom
        .db()
        .jdbi()
        .setSqlLogger(
            new SqlLogger() {
              @Override
              public void logAfterExecution(StatementContext context) {
                executed.add(context.getRenderedSql().replaceAll("\\s+", " ").strip());
              }
            });
  }

  @AfterAll
  void stop() {
    k.close();
  }

  /** Statements of one start and of its environment fetch, after a first (warming) round. */
  private List<List<String>> startAndFetch(String workroom) throws IOException {
    round(workroom); // caches fill here, as they do on a running node
    return round(workroom);
  }

  private List<List<String>> round(String workroom) throws IOException {
    executed.clear();
    JsonNode s =
        json(
            k.post(
                "/api/v1/workrooms/" + workroom + "/sessions",
                room.serviceToken(),
                room.startBody()),
            201);
    List<String> start = List.copyOf(executed);
    executed.clear();
    JsonNode env =
        json(
            k.get(
                "/api/v1/sessions/" + s.get("id").asText() + "/environment",
                s.get("sessionToken").asText()),
            200);
    assertThat(env.get("variables").size()).isPositive();
    List<String> fetch = List.copyOf(executed);
    return List.of(start, fetch);
  }

  @Test
  void aStartAndItsEnvironmentAreAHandfulOfStatements_whateverTheWorkroomHolds()
      throws IOException {
    List<List<String>> big = startAndFetch(room.workroomId());
    List<List<String>> small = startAndFetch(room.oneToolWorkroomId());
    System.out.printf(
        "statements: start %d, environment %d (20 tools, 5 endpoints); start %d, environment %d"
            + " (1 tool)%n",
        big.get(0).size(), big.get(1).size(), small.get(0).size(), small.get(1).size());
    for (List<List<String>> room : List.of(big, small)) {
      assertThat(room.get(0))
          .as("statements of a session start:%n%s", String.join("\n", room.get(0)))
          .hasSizeLessThanOrEqualTo(START);
      assertThat(room.get(1))
          .as("statements of an environment fetch:%n%s", String.join("\n", room.get(1)))
          .hasSizeLessThanOrEqualTo(ENVIRONMENT);
    }
    assertThat(big.get(1))
        .as("one statement per kind of row, not per tool")
        .hasSameSizeAs(small.get(1));
  }

  private static JsonNode json(HttpResponse<String> res, int status) throws IOException {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return Json.MAPPER.readTree(res.body());
  }
}
