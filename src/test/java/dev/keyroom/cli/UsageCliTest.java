package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.app.Config;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.StartedBy;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyroom usage} over real usage rows: calls through the proxy to a fake Gemini and OpenAI
 * upstream on port 0, recorded by the real writer (flushed by closing Keyroom, then opened again),
 * reported by the real command in a child process — grouped every way, with names, for an admin and
 * for members (their own calls only).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageCliTest {
  static final String GEMINI_KEY = "canary-usage-cli-gemini-KEY-0123456789abcdef";
  static final String OPENAI_KEY = "canary-usage-cli-openai-KEY-0123456789abcdef";
  static final String GEMINI_ANSWER =
      "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}],\"role\":\"model\"}}],"
          + "\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":3,\"thoughtsTokenCount\":4,\"totalTokenCount\":15},"
          + "\"modelVersion\":\"gemini-2.5-flash\"}";
  static final String OPENAI_ANSWER =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[],"
          + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":12,\"total_tokens\":17}}";

  FakeUpstream upstream;
  LogCapture logs;
  TestKeyroom k;
  Map<String, String> admin;
  Map<String, String> alice;
  Map<String, String> bob;
  String geminiId;
  final List<CliProcess.Result> outputs = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  void recordRealUsage(@TempDir Path dir) throws Exception {
    logs = LogCapture.begin();
    upstream =
        new FakeUpstream()
            .on("/v1beta/models", (ex, seen) -> FakeUpstream.json(ex, 200, GEMINI_ANSWER))
            .on("/v1/chat/completions", (ex, seen) -> FakeUpstream.json(ex, 200, OPENAI_ANSWER));
    Config config =
        TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
            .withUpstream("gemini", upstream.url())
            .withUpstream("openai", upstream.url());
    Tenancy.Founded acme;
    String aliceToken;
    String bobToken;
    try (TestKeyroom first = TestKeyroom.start(config, UnaryOperator.identity())) {
      acme = first.tenant("acme");
      User a = first.keyroom.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
      User b = first.keyroom.tenancy().createUser(acme.tenant().id(), "bob", Role.MEMBER, "test");
      aliceToken =
          first.keyroom.tokens().issueForUser(acme.tenant().id(), a.id(), "cli", "test").token();
      bobToken =
          first.keyroom.tokens().issueForUser(acme.tenant().id(), b.id(), "cli", "test").token();
      CredentialScope secrets = CredentialScope.tenantSecrets(acme.tenant().id());
      CredentialId g =
          new CredentialId(
              first
                  .keyroom
                  .vault()
                  .create(secrets, "gemini", "prod", SecretValue.ofUtf8(GEMINI_KEY), "test")
                  .id());
      CredentialId o =
          new CredentialId(
              first
                  .keyroom
                  .vault()
                  .create(secrets, "openai", "prod", SecretValue.ofUtf8(OPENAI_KEY), "test")
                  .id());
      geminiId = g.value();
      first.keyroom.skills().create(acme.tenant().id(), "writer", "", List.of("gemini"), "test");
      Workroom w =
          first
              .keyroom
              .workrooms()
              .create(
                  acme.tenant().id(),
                  "studio",
                  List.of(new Workroom.Tool("gemini", g), new Workroom.Tool("openai", o)),
                  "test");
      first.addMember(acme.tenant().id(), w.id(), a.id());
      Sessions.Started s =
          first
              .keyroom
              .sessions()
              .start(acme.tenant().id(), w.id(), a.id(), StartedBy.SELF, "test");
      Map<String, String> ph =
          first.keyroom.sessions().placeholders(acme.tenant().id(), s.session().id());
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(first.url() + "/proxy/gemini/v1beta/models/m:generateContent"))
                    .header("x-goog-api-key", ph.get("gemini"))
                    .header("X-Keyroom-Skill", "writer")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(first.url() + "/proxy/openai/v1/chat/completions"))
                  .header("Authorization", "Bearer " + ph.get("openai"))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    } // closing writes every queued usage row
    k = TestKeyroom.start(config, UnaryOperator.identity());
    admin = env(acme.adminToken().token());
    alice = env(aliceToken);
    bob = env(bobToken);
  }

  @AfterAll
  void stop() {
    try {
      String everything =
          logs.all()
              + outputs.stream().map(r -> r.stdout() + r.stderr()).reduce("", String::concat);
      for (String canary : List.of(GEMINI_KEY, OPENAI_KEY)) {
        assertThat(everything).as("command output and logs").doesNotContain(canary);
      }
      assertThat(everything).contains("REQUESTS");
    } finally {
      k.close();
      upstream.close();
      logs.close();
    }
  }

  private Map<String, String> env(String token) {
    return Map.of("KEYROOM_TOKEN", token, "KEYROOM_URL", k.url());
  }

  private CliProcess.Result run(Map<String, String> who, String... args) {
    CliProcess.Result r = CliProcess.run(who, null, args);
    outputs.add(r);
    return r;
  }

  private static String ok(CliProcess.Result r) {
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    return r.stdout();
  }

  /** The table row whose first cell is {@code name}, split into cells. */
  private static List<String> row(String table, String name) {
    return table
        .lines()
        .map(l -> List.of(l.trim().split("\\s{2,}")))
        .filter(cells -> cells.get(0).equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row " + name + " in\n" + table));
  }

  @Test
  void anAdminSeesTheTenantGroupedEveryWay_withNames() throws IOException {
    List<CliProcess.Result> r =
        CliProcess.together(
            () -> run(admin, "usage"),
            () -> run(admin, "usage", "--group-by", "workroom"),
            () -> run(admin, "usage", "--group-by", "user"));
    String byProvider = ok(r.get(0));
    assertThat(byProvider).contains("by provider (the whole tenant)");
    // gemini-2.5-flash at $0.30 and $2.50 per million: 8 in and 7 out is 19,900 nano-dollars a
    // call;
    // the OpenAI answer names no model, so its call is unpriced (not free)
    assertThat(row(byProvider, "gemini"))
        .containsExactly("gemini", "3", "0", "24", "21", "0", "0", "0.000059700", "0");
    assertThat(row(byProvider, "openai"))
        .containsExactly("openai", "1", "0", "5", "12", "0", "0", "0.000000000", "1");
    assertThat(row(ok(r.get(1)), "studio")).startsWith("studio", "4");
    assertThat(row(ok(r.get(2)), "alice")).startsWith("alice", "4");

    List<CliProcess.Result> more =
        CliProcess.together(
            () -> run(admin, "usage", "--group-by", "key"),
            () -> run(admin, "usage", "--group-by", "skill"),
            () -> run(admin, "usage", "--group-by", "key", "--json"));
    String byKey = ok(more.get(0));
    assertThat(row(byKey, "gemini/prod")).startsWith("gemini/prod", "3");
    assertThat(row(byKey, "openai/prod")).startsWith("openai/prod", "1");
    assertThat(byKey).doesNotContain("cred_");
    String bySkill = ok(more.get(1));
    assertThat(row(bySkill, "writer")).startsWith("writer", "3");
    assertThat(row(bySkill, "(none)")).startsWith("(none)", "1");
    JsonNode json = Json.MAPPER.readTree(ok(more.get(2)));
    assertThat(json.get("groupBy").asText()).isEqualTo("credential");
    JsonNode gemini =
        json.get("rows").findParents("key").stream()
            .filter(x -> x.get("key").asText().equals(geminiId))
            .findFirst()
            .orElseThrow();
    assertThat(gemini.get("name").asText()).isEqualTo("gemini/prod");
    assertThat(gemini.get("requests").asLong()).isEqualTo(3);
    assertThat(gemini.get("inputTokens").asLong()).isEqualTo(24);
  }

  @Test
  void periodsAndBadInput() {
    List<CliProcess.Result> r =
        CliProcess.together(
            () -> run(admin, "usage", "--since", "2000-01-01", "--until", "2000-01-02"),
            () -> run(admin, "usage", "--since", "1d"),
            () -> run(admin, "usage", "--since", "2001-01-01", "--until", "2000-01-01"));
    assertThat(ok(r.get(0)))
        .contains("usage from 2000-01-01T00:00:00Z to 2000-01-02T00:00:00Z")
        .contains("(no proxied calls in this period)")
        .doesNotContain("gemini");
    assertThat(row(ok(r.get(1)), "gemini")).startsWith("gemini", "3");
    assertThat(r.get(2).exitCode()).isEqualTo(Main.FAILED);
    assertThat(r.get(2).stderr()).contains("from: must be before 'to'").contains("400");

    List<CliProcess.Result> bad =
        CliProcess.together(
            () -> run(admin, "usage", "--group-by", "colour"),
            () -> run(admin, "usage", "--since", "last tuesday"),
            () -> run(admin, "usage", "--help"));
    assertThat(bad.get(0).exitCode()).isEqualTo(Main.USAGE);
    assertThat(bad.get(0).stderr())
        .contains("--group-by: must be provider, workroom, user, key, skill or model");
    assertThat(bad.get(1).exitCode()).isEqualTo(Main.USAGE);
    assertThat(bad.get(1).stderr()).contains("--since: must be a date");
    assertThat(ok(bad.get(2)))
        .startsWith("Usage: keyroom usage")
        .contains("--group-by")
        .contains("--since")
        .contains("--until");
  }

  @Test
  void membersSeeTheirOwnCallsOnly() {
    List<CliProcess.Result> r =
        CliProcess.together(
            () -> run(alice, "usage", "--group-by", "user"),
            () -> run(alice, "usage", "--group-by", "key"),
            () -> run(bob, "usage"));
    String own = ok(r.get(0));
    assertThat(own).contains("(your own calls)");
    assertThat(row(own, "alice")).startsWith("alice", "4");
    // a member may not list tenant secrets, so the keys are shown by id
    assertThat(row(ok(r.get(1)), geminiId)).startsWith(geminiId, "3");
    assertThat(ok(r.get(2)))
        .contains("(your own calls)")
        .contains("(no proxied calls in this period)");
  }
}
