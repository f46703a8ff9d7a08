package dev.keyroom.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyroom.session.Workroom;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a request is refused, with the right status and a JSON body, before the upstream sees
 * it.
 */
class ProxyRefusalTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  ProxyFixture f;

  @BeforeEach
  void start() {
    f = new ProxyFixture(dir);
    f.upstream.on("/", (ex, seen) -> FakeUpstream.json(ex, 200, "{\"ok\":true}"));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private HttpResponse<String> gemini(String placeholder) {
    return placeholder == null
        ? f.send("GET", "/proxy/gemini/v1beta/models", null)
        : f.send("GET", "/proxy/gemini/v1beta/models", null, "x-goog-api-key", placeholder);
  }

  private static void assertError(HttpResponse<String> res, int status, String code)
      throws Exception {
    assertThat(res.statusCode()).isEqualTo(status);
    assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode body = JSON.readTree(res.body());
    assertThat(body.get("error").asText()).isEqualTo(code);
    assertThat(body.get("message").asText()).isNotBlank();
  }

  @Test
  void missingMalformedAndUnknownPlaceholdersAre401() throws Exception {
    assertError(gemini(null), 401, "unauthenticated");
    assertError(gemini("not-a-placeholder"), 401, "unauthenticated");
    assertError(gemini("kr_ph_gemini_" + "A".repeat(43)), 401, "unauthenticated");
    assertThat(f.upstream.seen()).isEmpty();
  }

  @Test
  void anotherProvidersPlaceholderIs403() throws Exception {
    assertError(gemini(f.placeholders.get("openai")), 403, "forbidden");
    assertThat(f.upstream.seen()).isEmpty();
  }

  @Test
  void unknownProviderIs404() throws Exception {
    assertError(
        f.send("GET", "/proxy/nosuch/v1/x", null, "x-goog-api-key", f.placeholders.get("gemini")),
        404,
        "not_found");
  }

  @Test
  void endedSessionIsRefusedOnTheNextRequest() throws Exception {
    assertThat(gemini(f.placeholders.get("gemini")).statusCode()).isEqualTo(200);
    f.k
        .keyroom
        .sessions()
        .end(f.tenant.tenant().id(), f.session.session().id(), "user left", "test");
    assertError(gemini(f.placeholders.get("gemini")), 403, "forbidden");
    assertThat(f.upstream.seen()).hasSize(1);
  }

  @Test
  void refusalsOfAKnownPlaceholderAreAudited_onceAMinutePerReason() throws Exception {
    f.k
        .keyroom
        .sessions()
        .end(f.tenant.tenant().id(), f.session.session().id(), "user left", "test");
    for (int i = 0; i < 5; i++) {
      assertError(gemini(f.placeholders.get("gemini")), 403, "forbidden");
    }
    var filter =
        new dev.keyroom.audit.AuditLog.Filter(
            null, "proxy.denied", null, null, null, null, null, null, 50);
    java.util.List<dev.keyroom.audit.AuditRecord> rows = java.util.List.of();
    for (int i = 0; i < 50 && rows.isEmpty(); i++) {
      Thread.sleep(100);
      rows = f.k.keyroom.audit().query(f.tenant.tenant().id(), filter);
    }
    Thread.sleep(500);
    rows = f.k.keyroom.audit().query(f.tenant.tenant().id(), filter);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).outcome()).isEqualTo("denied");
    assertThat(rows.get(0).sessionId()).isEqualTo(f.session.session().id().value());
    assertThat(rows.get(0).detail())
        .containsEntry("provider", "gemini")
        .containsEntry("reason", "forbidden");
    assertThat(rows.get(0).toString()).doesNotContain(f.placeholders.get("gemini"));
  }

  @Test
  void revokedKeyIsRefusedOnTheVeryNextRequest() throws Exception {
    assertThat(gemini(f.placeholders.get("gemini")).statusCode()).isEqualTo(200);
    HttpResponse<String> revoke =
        f.k.post("/api/v1/secrets/" + f.secrets.get("gemini") + "/revoke", f.adminToken(), null);
    assertThat(revoke.statusCode()).isEqualTo(200);
    assertError(gemini(f.placeholders.get("gemini")), 403, "credential_revoked");
    assertThat(f.upstream.seen()).hasSize(1);
  }

  @Test
  void replacedKeyIsUsedOnTheVeryNextRequest() {
    assertThat(gemini(f.placeholders.get("gemini")).statusCode()).isEqualTo(200);
    HttpResponse<String> put =
        f.k.send(
            "PUT",
            "/api/v1/secrets/" + f.secrets.get("gemini") + "/value",
            f.adminToken(),
            "{\"value\":\"canary-gemini-REPLACED-0123456789\"}");
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(gemini(f.placeholders.get("gemini")).statusCode()).isEqualTo(200);
    assertThat(f.upstream.last().header("x-goog-api-key"))
        .isEqualTo("canary-gemini-REPLACED-0123456789");
  }

  @Test
  void deletedKeyIsRefusedOnTheVeryNextRequest() throws Exception {
    assertThat(gemini(f.placeholders.get("gemini")).statusCode()).isEqualTo(200);
    HttpResponse<String> del =
        f.k.send("DELETE", "/api/v1/secrets/" + f.secrets.get("gemini"), f.adminToken(), null);
    assertThat(del.statusCode()).isEqualTo(204);
    assertError(gemini(f.placeholders.get("gemini")), 403, "forbidden");
  }

  @Test
  void toolNotEnabledForTheWorkroomIs403() throws Exception {
    f.k
        .keyroom
        .workrooms()
        .setTools(
            f.tenant.tenant().id(),
            f.workroom.id(),
            List.of(new Workroom.Tool("openai", f.secrets.get("openai"))),
            "test");
    f.k.keyroom.proxy().forgetGrants();
    assertError(gemini(f.placeholders.get("gemini")), 403, "forbidden");
    assertThat(f.upstream.seen()).isEmpty();
  }

  @Test
  void skillThatDoesNotUseTheKindIs403() throws Exception {
    f.k.keyroom.skills().create(f.tenant.tenant().id(), "voice", "", List.of("elevenlabs"), "test");
    HttpResponse<String> res =
        f.send(
            "GET",
            "/proxy/gemini/v1beta/models",
            null,
            "x-goog-api-key",
            f.placeholders.get("gemini"),
            "X-Keyroom-Skill",
            "voice");
    assertError(res, 403, "forbidden");
    res =
        f.send(
            "GET",
            "/proxy/gemini/v1beta/models",
            null,
            "x-goog-api-key",
            f.placeholders.get("gemini"),
            "X-Keyroom-Skill",
            "Bad Name");
    assertError(res, 400, "invalid_request");
    assertThat(f.upstream.seen()).isEmpty();
  }

  @Test
  void pathTricksNeverReachTheUpstream() {
    String ph = f.placeholders.get("gemini");
    int port = f.k.keyroom.http().port();
    String[] targets = {
      "/proxy/gemini/v1beta/../../api/v1/secrets",
      "/proxy/gemini/v1beta/%2e%2e/%2e%2e/x",
      "/proxy/gemini/v1beta/%2E%2E/x",
      "/proxy/gemini/v1beta/..%2fx",
      "/proxy/gemini/v1beta%2F..%2Fx",
      "/proxy/gemini/v1beta/%5c..%5cx",
      "/proxy/gemini/v1beta/\\..\\x",
      "/proxy/gemini//evil.example/x",
      "/proxy/gemini/./v1beta",
      "/proxy/gemini/v1beta/%252e%252e/x",
      "/proxy/gemini/v1beta/%00",
      "/proxy/gemini@evil.example/v1beta",
    };
    for (String t : targets) {
      int status =
          RawHttp.status(
              port,
              "GET "
                  + t
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: "
                  + ph
                  + "\r\nConnection: close\r\n\r\n");
      assertThat(status).as(t).isBetween(400, 404);
    }
    assertThat(f.upstream.seen()).isEmpty();
  }

  @Test
  void absoluteFormConnectAndHostTricksCannotChangeTheUpstream() {
    String ph = f.placeholders.get("gemini");
    int port = f.k.keyroom.http().port();
    int connect =
        RawHttp.status(
            port,
            "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\nConnection: close\r\n\r\n");
    assertThat(connect).isBetween(400, 405);
    int absolute =
        RawHttp.status(
            port,
            "GET http://evil.example/proxy/gemini/v1beta/models HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nx-goog-api-key: "
                + ph
                + "\r\nConnection: close\r\n\r\n");
    assertThat(absolute).isEqualTo(400);
    int absoluteNoPort =
        RawHttp.status(
            port,
            "GET http://127.0.0.1/proxy/gemini/v1beta/models HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nx-goog-api-key: "
                + ph
                + "\r\nConnection: close\r\n\r\n");
    assertThat(absoluteNoPort).isEqualTo(400);
    int noHost =
        RawHttp.status(
            port, "GET /proxy/gemini/v1beta/models HTTP/1.0\r\nx-goog-api-key: " + ph + "\r\n\r\n");
    assertThat(noHost).isEqualTo(400);
    int host =
        RawHttp.status(
            port,
            "GET /proxy/gemini/v1beta/models HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\n"
                + "x-goog-api-key: "
                + ph
                + "\r\nConnection: close\r\n\r\n");
    assertThat(host).isEqualTo(200);
    assertThat(f.upstream.seen()).hasSize(1);
    FakeUpstream.Seen seen = f.upstream.last();
    assertThat(URI.create("http://" + seen.header("host")).getPort()).isEqualTo(f.upstream.port());
    assertThat(seen.everything()).doesNotContain("evil.example");
  }

  @Test
  void unreachableUpstreamIs502AndSilentUpstreamIs504() throws Exception {
    f.upstream.on(
        "/slow",
        (ex, seen) -> {
          Thread.sleep(3_000);
          FakeUpstream.json(ex, 200, "{}");
        });
    f.close();
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    FakeUpstream live = new FakeUpstream();
    live.on(
        "/slow",
        (ex, seen) -> {
          Thread.sleep(3_000);
          FakeUpstream.json(ex, 200, "{}");
        });
    live.on(
        "/headers-then-silence",
        (ex, seen) -> {
          ex.getResponseHeaders().set("Content-Type", "text/event-stream");
          ex.sendResponseHeaders(200, 0);
          ex.getResponseBody().flush();
          Thread.sleep(3_000);
        });
    f =
        new ProxyFixture(
            dir.resolve("second"),
            live,
            c ->
                c.withUpstream("openai", "http://127.0.0.1:" + deadPort)
                    .with(dev.keyroom.app.Config.Setting.PROXY_READ_TIMEOUT, "500ms"));
    HttpResponse<String> refused =
        f.send(
            "GET",
            "/proxy/openai/v1/models",
            null,
            "Authorization",
            "Bearer " + f.placeholders.get("openai"));
    assertError(refused, 502, "upstream_unreachable");
    long t0 = System.nanoTime();
    HttpResponse<String> slow =
        f.send("GET", "/proxy/gemini/slow", null, "x-goog-api-key", f.placeholders.get("gemini"));
    assertError(slow, 504, "upstream_timeout");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_500);
    // silent after its headers, before any byte of the body: nothing has reached the caller yet,
    // so it is told why, not handed the upstream's headers over an empty body
    HttpResponse<String> silent =
        f.send(
            "GET",
            "/proxy/gemini/headers-then-silence",
            null,
            "x-goog-api-key",
            f.placeholders.get("gemini"));
    assertError(silent, 504, "upstream_timeout");
    assertThat(silent.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(silent.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(refused.body() + slow.body())
        .doesNotContain(f.keys.get("openai"))
        .doesNotContain(f.keys.get("gemini"));
  }
}
