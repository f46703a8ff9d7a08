package dev.keyroom.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.app.Config;
import dev.keyroom.app.Keyroom;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.StartedBy;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash-loss bound of docs/proxy.md, with a real {@code kill -9}: a real {@code keyroom serve}
 * child with a usage queue of 50 is killed while clients are proxying through it; the store, opened
 * again, lacks the rows of at most (queue + one batch + requests in flight) of the calls whose
 * answer a client received in full, and every row it holds is whole and matches its audit events
 * and "last used" (one transaction per batch).
 *
 * <p>The kill comes after {@value #ANSWERED_BEFORE_KILL} answered calls, many times the bound of
 * {@code 50 + 50 + 16}: a writer that held rows much longer than one batch takes (or kept them all
 * for an orderly stop) would lose far more and fail here.
 */
class AKilledServerLosesAtMostItsUsageQueueAndOneBatchTest {
  private static final int QUEUE = 50;
  private static final int PER_SESSION = 16;
  private static final int CLIENTS = 8;
  private static final int ANSWERED_BEFORE_KILL = 1500;
  private static final int BOUND = QUEUE + Math.min(UsageRecorder.MAX_BATCH, QUEUE) + PER_SESSION;
  private static final Pattern SERVING = Pattern.compile("Keyroom serving on http://[^:]+:(\\d+)");
  private static final Pattern PATH =
      Pattern.compile("/v1beta/models/m-[0-9]+-[0-9]+:generateContent");

  @TempDir Path dir;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aKill9LosesAtMostTheQueuedRecordsTheBatchBeingWrittenAndTheRequestsInFlight()
      throws Exception {
    // the bound must be small beside the load, or a leaky writer would pass unnoticed
    assertThat(ANSWERED_BEFORE_KILL).isGreaterThanOrEqualTo(10 * BOUND);
    try (FakeUpstream up = new FakeUpstream()) {
      up.on("/v1beta/models", (ex, seen) -> FakeUpstream.json(ex, 200, UsageMeterTest.GEMINI));
      Config config = TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir));
      Tenancy.Founded acme;
      CredentialId key;
      Workroom room;
      Sessions.Started session;
      String placeholder;
      try (Keyroom k = Keyroom.open(config)) {
        acme = k.tenancy().createTenant("acme", "admin", "test");
        CredentialScope scope = CredentialScope.tenantSecrets(acme.tenant().id());
        key =
            new CredentialId(
                k.vault()
                    .create(
                        scope, "gemini", "g", SecretValue.ofUtf8("canary-kill-KEY-0123456789"), "t")
                    .id());
        room =
            k.workrooms()
                .create(
                    acme.tenant().id(), "studio", List.of(new Workroom.Tool("gemini", key)), "t");
        k.workrooms()
            .members()
            .add(
                acme.tenant().id(),
                room.id(),
                dev.keyroom.session.WorkroomMembers.UserRef.of(acme.admin().id()),
                "t");
        session =
            k.sessions()
                .start(acme.tenant().id(), room.id(), acme.admin().id(), StartedBy.SELF, "t");
        placeholder =
            k.sessions().placeholders(acme.tenant().id(), session.session().id()).get("gemini");
      }

      CliProcess.Watched serve =
          CliProcess.startWatched(
              Map.of(
                  "KEYROOM_DATA_DIR", dir.toString(),
                  "KEYROOM_PORT", "0",
                  "KEYROOM_USAGE_QUEUE", Integer.toString(QUEUE),
                  "KEYROOM_PROXY_MAX_CONCURRENT_PER_SESSION", Integer.toString(PER_SESSION),
                  "KEYROOM_UPSTREAM_GEMINI", up.url()),
              "serve");
      Set<String> sent = ConcurrentHashMap.newKeySet();
      Set<String> answered = ConcurrentHashMap.newKeySet();
      List<String> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
      AtomicInteger count = new AtomicInteger();
      CountDownLatch killed = new CountDownLatch(1);
      long started = System.currentTimeMillis();
      try {
        String base = "http://127.0.0.1:" + serve.awaitLine(SERVING, Duration.ofSeconds(120));
        HttpClient http =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
          for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.submit(
                () -> {
                  for (int i = 0; killed.getCount() > 0; i++) {
                    String path = "/v1beta/models/m-" + client + "-" + i + ":generateContent";
                    sent.add(path);
                    HttpResponse<String> r;
                    try {
                      r =
                          http.send(
                              HttpRequest.newBuilder(URI.create(base + "/proxy/gemini" + path))
                                  .timeout(Duration.ofSeconds(30))
                                  .header("x-goog-api-key", placeholder)
                                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                    } catch (IOException e) {
                      if (killed.getCount() > 0) {
                        unexpected.add(path + ": " + e);
                      }
                      return null;
                    }
                    if (r.statusCode() == 200 && r.body().equals(UsageMeterTest.GEMINI)) {
                      answered.add(path);
                      if (count.incrementAndGet() == ANSWERED_BEFORE_KILL) {
                        killed.countDown();
                        // SIGKILL on Linux: no shutdown hook, no drain, nothing flushed
                        serve.process().destroyForcibly();
                      }
                    } else if (r.statusCode() != 429) {
                      // 429: the per-session cap, which bounds the requests in flight
                      unexpected.add(path + ": " + r.statusCode() + " " + r.body());
                      return null;
                    }
                  }
                  return null;
                });
          }
          boolean reached = killed.await(120, TimeUnit.SECONDS);
          if (!reached) {
            killed.countDown();
            serve.process().destroyForcibly();
          }
          assertThat(reached)
              .as("%d calls answered within 120 s (unexpected: %s)", count.get(), unexpected)
              .isTrue();
        }
        List<String> stderr = serve.stderrAfterExit(Duration.ofSeconds(60));
        assertThat(serve.process().exitValue()).as("killed by signal 9").isEqualTo(128 + 9);
        assertThat(unexpected).as("failures before the kill").isEmpty();
        assertThat(answered).hasSizeGreaterThanOrEqualTo(ANSWERED_BEFORE_KILL);
        assertThat(String.join("\n", stderr))
            .doesNotContain("canary-kill-KEY")
            .doesNotContain(placeholder);
        long dropped = stderr.stream().filter(l -> l.contains("usage record dropped")).count();
        long ended = System.currentTimeMillis();

        try (Keyroom again = Keyroom.open(config)) {
          List<Map<String, Object>> rows =
              again
                  .db()
                  .jdbi()
                  .withHandle(h -> h.createQuery("SELECT * FROM usage_records").mapToMap().list());
          Set<String> written = new HashSet<>();
          long newest = 0;
          for (Map<String, Object> row : rows) {
            String path = (String) row.get("path");
            assertThat(written.add(path)).as("one row per request: %s", path).isTrue();
            assertThat(sent).as("a row for a request that was made").contains(path);
            assertThat(path).matches(PATH);
            assertThat(row)
                .containsEntry("tenant_id", acme.tenant().id().value())
                .containsEntry("session_id", session.session().id().value())
                .containsEntry("workroom_id", room.id().value())
                .containsEntry("user_id", acme.admin().id().value())
                .containsEntry("credential_id", key.value())
                .containsEntry("provider", "gemini")
                .containsEntry("method", "POST")
                .containsEntry("outcome", "ok");
            assertThat(number(row, "credential_version")).isEqualTo(1);
            assertThat(number(row, "status")).isEqualTo(200);
            assertThat(number(row, "request_bytes")).isEqualTo(2);
            assertThat(number(row, "response_bytes"))
                .isEqualTo(UsageMeterTest.GEMINI.getBytes(StandardCharsets.UTF_8).length);
            assertThat(number(row, "input_tokens")).isEqualTo(8);
            assertThat(number(row, "output_tokens")).isEqualTo(7);
            assertThat(number(row, "total_tokens")).isEqualTo(15);
            assertThat(number(row, "latency_ms")).isNotNegative();
            assertThat(number(row, "at")).isBetween(started, ended);
            newest = Math.max(newest, number(row, "at"));
          }
          Set<String> lost = new HashSet<>(answered);
          lost.removeAll(written);
          assertThat((long) lost.size())
              .as(
                  "answered %d, rows %d, lost %d, dropped and counted %d, bound %d",
                  answered.size(), written.size(), lost.size(), dropped, BOUND)
              .isLessThanOrEqualTo(BOUND + dropped);

          // usage rows, audit events and "last used" were committed together, batch by batch
          List<String> details =
              again
                  .db()
                  .jdbi()
                  .withHandle(
                      h ->
                          h.createQuery(
                                  "SELECT detail FROM audit_events WHERE tenant_id = :t"
                                      + " AND action = 'proxy.use'")
                              .bind("t", acme.tenant().id().value())
                              .mapTo(String.class)
                              .list());
          long audited = 0;
          for (String d : details) {
            JsonNode detail = Json.MAPPER.readTree(d);
            audited += Long.parseLong(detail.get("requests").asText());
          }
          assertThat(audited).as("requests audited").isEqualTo(rows.size());
          assertThat(again.audit().verify(acme.tenant().id()).intact()).isTrue();
          if (!rows.isEmpty()) {
            assertThat(
                    again
                        .vault()
                        .get(CredentialScope.tenantSecrets(acme.tenant().id()), key)
                        .lastUsed()
                        .at())
                .as("last used is the newest row written")
                .isEqualTo(newest);
          }
        }
      } finally {
        serve.process().destroyForcibly();
      }
    }
  }

  private static long number(Map<String, Object> row, String column) {
    Object v = row.get(column);
    assertThat(v).as(column).isInstanceOf(Number.class);
    return ((Number) v).longValue();
  }
}
