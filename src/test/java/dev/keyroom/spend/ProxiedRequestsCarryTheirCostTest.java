package dev.keyroom.spend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.StartedBy;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.usage.UsageMeterTest;
import dev.keyroom.usage.UsageStore;
import dev.keyroom.vault.CredentialId;
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
 * Proxied requests, plain and streamed, are stored with their cost at the catalogue's prices; the
 * usage totals carry the cost and the count of unpriced requests, which are never counted as free.
 */
class ProxiedRequestsCarryTheirCostTest {
  @TempDir Path dir;

  @Test
  void usageTotalsCarryCostAndUnpricedRequests() throws Exception {
    try (FakeUpstream up = new FakeUpstream()) {
      up.on(
          "/v1/chat/completions",
          (ex, seen) ->
              FakeUpstream.json(
                  ex,
                  200,
                  new String(seen.body(), StandardCharsets.UTF_8).contains("unknown")
                      ? UsageMeterTest.OPENAI_CACHED.replace(
                          "gpt-4o-mini-2024-07-18", "gpt-unknown-1")
                      : UsageMeterTest.OPENAI_CACHED));
      up.on(
          "/v1/messages",
          (ex, seen) -> {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody()
                .write(UsageMeterTest.ANTHROPIC_CACHED_STREAM.getBytes(StandardCharsets.UTF_8));
          });
      try (TestKeyroom k =
          TestKeyroom.start(
              TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
                  .withUpstream("openai", up.url())
                  .withUpstream("anthropic", up.url()),
              UnaryOperator.identity())) {
        Tenancy.Founded t = k.tenant("acme");
        CredentialScope scope = CredentialScope.tenantSecrets(t.tenant().id());
        CredentialId o = key(k, scope, "openai");
        CredentialId a = key(k, scope, "anthropic");
        Workroom w =
            k.keyroom
                .workrooms()
                .create(
                    t.tenant().id(),
                    "studio",
                    List.of(new Workroom.Tool("openai", o), new Workroom.Tool("anthropic", a)),
                    "test");
        k.addMember(t.tenant().id(), w.id(), t.admin().id());
        Sessions.Started s =
            k.keyroom
                .sessions()
                .start(t.tenant().id(), w.id(), t.admin().id(), StartedBy.SELF, "test");
        Map<String, String> ph =
            k.keyroom.sessions().placeholders(t.tenant().id(), s.session().id());
        HttpClient http = HttpClient.newHttpClient();
        for (String body :
            new String[] {
              "{\"model\":\"gpt-4o-mini\"}",
              "{\"model\":\"gpt-4o-mini\"}",
              "{\"model\":\"unknown\"}"
            }) {
          send(
              http,
              k.url() + "/proxy/openai/v1/chat/completions",
              "Authorization",
              "Bearer " + ph.get("openai"),
              body);
        }
        send(
            http,
            k.url() + "/proxy/anthropic/v1/messages",
            "x-api-key",
            ph.get("anthropic"),
            "{\"stream\":true}");
        k.awaitUsageRows(t.tenant().id(), 4);

        JsonNode rows =
            new ObjectMapper()
                .readTree(k.get("/api/v1/usage?groupBy=provider", t.adminToken().token()).body())
                .get("rows");
        JsonNode openai = find(rows, "openai");
        assertThat(openai.get("requests").asLong()).isEqualTo(3);
        assertThat(openai.get("cachedInputTokens").asLong()).isEqualTo(600);
        // two priced requests of 435,000 nano-dollars; the unknown model's is unpriced, not zero
        assertThat(openai.get("costNanoUsd").asLong()).isEqualTo(870_000L);
        assertThat(openai.get("costUsd").asText()).isEqualTo("0.000870000");
        assertThat(openai.get("unpricedRequests").asLong()).isEqualTo(1);
        JsonNode anthropic = find(rows, "anthropic");
        assertThat(anthropic.get("costNanoUsd").asLong()).isEqualTo(104_000L);
        assertThat(anthropic.get("cacheWriteTokens").asLong()).isEqualTo(40);
        assertThat(anthropic.get("unpricedRequests").asLong()).isZero();

        JsonNode byModel =
            new ObjectMapper()
                .readTree(k.get("/api/v1/usage?groupBy=model", t.adminToken().token()).body())
                .get("rows");
        assertThat(find(byModel, "gpt-4o-mini-2024-07-18").get("costNanoUsd").asLong())
            .isEqualTo(870_000L);
        assertThat(find(byModel, "gpt-unknown-1").get("unpricedRequests").asLong()).isEqualTo(1);
        assertThat(find(byModel, "claude-3-5-haiku-20241022").get("requests").asLong())
            .isEqualTo(1);

        List<UsageStore.Request> stored =
            new UsageStore(k.keyroom.db(), new Pricing(k.keyroom.prices(), k.keyroom.catalog()))
                .requests(
                    t.tenant().id(), 0, Long.MAX_VALUE, UsageStore.GroupBy.PROVIDER, "openai", 10);
        assertThat(stored)
            .extracting(UsageStore.Request::model)
            .containsExactlyInAnyOrder(
                "gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18", "gpt-unknown-1");
        assertThat(stored)
            .extracting(UsageStore.Request::costNanoUsd)
            .containsExactlyInAnyOrder(435_000L, 435_000L, null);
      }
    }
  }

  private static CredentialId key(TestKeyroom k, CredentialScope scope, String kind) {
    return new CredentialId(
        k.keyroom
            .vault()
            .create(
                scope,
                kind,
                kind,
                SecretValue.ofUtf8("cost-test-" + kind + "-0123456789abcdef"),
                "test")
            .id());
  }

  private static void send(HttpClient http, String url, String header, String value, String body)
      throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header(header, value)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  private static JsonNode find(JsonNode rows, String key) {
    for (JsonNode r : rows) {
      if (key.equals(r.get("key").asText())) {
        return r;
      }
    }
    throw new AssertionError("no row " + key + " in " + rows);
  }
}
