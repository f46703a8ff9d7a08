package dev.keyroom.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyroom.app.Config;
import dev.keyroom.app.Keyroom;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proxied calls become usage rows, audit events and "last used" — recorded off the request path,
 * none lost on shutdown.
 */
class UsageRecordingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void usageAuditAndLastUsedAreRecordedAndNothingIsLostOnOrderlyShutdown() throws Exception {
    String geminiKey = "canary-usage-gemini-KEY-0123456789abcdef";
    String openaiKey = "canary-usage-openai-KEY-0123456789abcdef";
    try (FakeUpstream up = new FakeUpstream();
        LogCapture logs = LogCapture.begin()) {
      up.on("/v1beta/models", (ex, seen) -> FakeUpstream.json(ex, 200, UsageMeterTest.GEMINI));
      up.on(
          "/v1/chat/completions",
          (ex, seen) -> {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            byte[] b = UsageMeterTest.OPENAI_STREAM.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write(b);
          });
      Config config =
          TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
              .withUpstream("gemini", up.url())
              .withUpstream("openai", up.url());
      TestKeyroom k = TestKeyroom.start(config, UnaryOperator.identity());
      Tenancy.Founded t = k.tenant("acme");
      CredentialScope scope = CredentialScope.tenantSecrets(t.tenant().id());
      CredentialId g =
          new CredentialId(
              k.keyroom
                  .vault()
                  .create(scope, "gemini", "g", SecretValue.ofUtf8(geminiKey), "test")
                  .id());
      CredentialId o =
          new CredentialId(
              k.keyroom
                  .vault()
                  .create(scope, "openai", "o", SecretValue.ofUtf8(openaiKey), "test")
                  .id());
      k.keyroom.skills().create(t.tenant().id(), "writer", "", List.of("gemini", "openai"), "test");
      Workroom w =
          k.keyroom
              .workrooms()
              .create(
                  t.tenant().id(),
                  "studio",
                  List.of(new Workroom.Tool("gemini", g), new Workroom.Tool("openai", o)),
                  "test");
      k.addMember(t.tenant().id(), w.id(), t.admin().id());
      Sessions.Started s =
          k.keyroom
              .sessions()
              .start(
                  t.tenant().id(),
                  w.id(),
                  t.admin().id(),
                  dev.keyroom.session.StartedBy.SELF,
                  "test");
      Map<String, String> ph = k.keyroom.sessions().placeholders(t.tenant().id(), s.session().id());
      HttpClient http = HttpClient.newHttpClient();
      int calls = 20;
      for (int i = 0; i < calls; i++) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(k.url() + "/proxy/gemini/v1beta/models/m:generateContent"))
                    .header("x-goog-api-key", ph.get("gemini"))
                    .header("X-Keyroom-Skill", "writer")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      }
      HttpResponse<String> stream =
          http.send(
              HttpRequest.newBuilder(URI.create(k.url() + "/proxy/openai/v1/chat/completions"))
                  .header("Authorization", "Bearer " + ph.get("openai"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(stream.body()).contains("[DONE]");
      // Closed at once: whatever is still queued must be written before the store closes.
      k.close();

      try (Keyroom again = Keyroom.open(config)) {
        again.startHttp();
        String base = "http://127.0.0.1:" + again.http().port();
        String admin = t.adminToken().token();
        JsonNode byProvider = get(http, base + "/api/v1/usage?groupBy=provider", admin);
        assertThat(byProvider.get("scope").asText()).isEqualTo("tenant");
        JsonNode rows = byProvider.get("rows");
        assertThat(rows).hasSize(2);
        JsonNode gem = find(rows, "gemini");
        assertThat(gem.get("requests").asLong()).isEqualTo(calls);
        assertThat(gem.get("inputTokens").asLong()).isEqualTo(8L * calls);
        assertThat(gem.get("outputTokens").asLong()).isEqualTo(7L * calls);
        JsonNode oa = find(rows, "openai");
        assertThat(oa.get("totalTokens").asLong()).isEqualTo(17);
        assertThat(
                find(get(http, base + "/api/v1/usage?groupBy=skill", admin).get("rows"), "writer")
                    .get("requests")
                    .asLong())
            .isEqualTo(calls);
        assertThat(
                find(
                        get(http, base + "/api/v1/usage?groupBy=credential", admin).get("rows"),
                        g.value())
                    .get("requests")
                    .asLong())
            .isEqualTo(calls);
        assertThat(
                find(
                        get(http, base + "/api/v1/usage?groupBy=workroom", admin).get("rows"),
                        w.id().value())
                    .get("requests")
                    .asLong())
            .isEqualTo(calls + 1);
        assertThat(
                find(
                        get(http, base + "/api/v1/usage?groupBy=user", admin).get("rows"),
                        t.admin().id().value())
                    .get("requests")
                    .asLong())
            .isEqualTo(calls + 1);
        assertThat(
                get(http, base + "/api/v1/usage?from=2000-01-01&to=2000-01-02", admin).get("rows"))
            .isEmpty();
        HttpResponse<String> bad =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/usage?groupBy=color"))
                    .header("Authorization", "Bearer " + admin)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("groupBy");

        CredentialInfo info = again.vault().get(scope, g);
        assertThat(info.lastUsed()).isNotNull();
        assertThat(info.lastUsed().sessionId()).isEqualTo(s.session().id().value());
        assertThat(info.lastUsed().skill()).isEqualTo("writer");
        var useEvents =
            again
                .audit()
                .query(
                    t.tenant().id(),
                    new dev.keyroom.audit.AuditLog.Filter(
                        null, "proxy.use", null, null, null, null, null, null, 1000));
        assertThat(useEvents)
            .isNotEmpty()
            .allSatisfy(
                e -> {
                  assertThat(e.sessionId()).isEqualTo(s.session().id().value());
                  assertThat(e.detail())
                      .containsKeys("provider", "version", "requests", "statuses");
                });
        assertThat(
                useEvents.stream().mapToLong(e -> Long.parseLong(e.detail().get("requests"))).sum())
            .isEqualTo(calls + 1);
        assertThat(useEvents)
            .filteredOn(e -> "gemini".equals(e.detail().get("provider")))
            .allSatisfy(e -> assertThat(e.skill()).isEqualTo("writer"));
        assertThat(again.audit().verify(t.tenant().id()).intact()).isTrue();

        String dump =
            again
                .db()
                .jdbi()
                .withHandle(
                    h ->
                        h.createQuery("SELECT * FROM usage_records").mapToMap().list().toString()
                            + h.createQuery("SELECT * FROM audit_events").mapToMap().list());
        for (String secret : List.of(geminiKey, openaiKey, ph.get("gemini"), ph.get("openai"))) {
          assertThat(dump).doesNotContain(secret);
          assertThat(logs.all()).doesNotContain(secret);
        }
      }
      for (FakeUpstream.Seen seen : up.seen()) {
        assertThat(seen.everything()).doesNotContain("kr_ph_");
      }
    }
  }

  private static JsonNode get(HttpClient http, String url, String token) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static JsonNode find(JsonNode rows, String key) {
    for (JsonNode r : rows) {
      if (key.equals(r.get("key").asText())) {
        return r;
      }
    }
    throw new AssertionError("no usage row for " + key + " in " + rows);
  }
}
