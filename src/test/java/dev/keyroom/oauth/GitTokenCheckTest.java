package dev.keyroom.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.keyroom.app.Config;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Personal git tokens stay plain integrations, with a "test" call against the git host's API (a
 * local fake here).
 */
class GitTokenCheckTest {
  static final String GOOD = "canary-ghp-good-4f1d8e2a7c";
  static final String BAD = "canary-ghp-bad-93b0aa51ee";
  @TempDir Path dir;

  @Test
  void testCallSaysWhetherTheTokenWorksAndForWhom() throws Exception {
    List<String> seenAuth = new CopyOnWriteArrayList<>();
    List<String> seenUris = new CopyOnWriteArrayList<>();
    HttpServer git = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    git.createContext(
        "/api/v3/user",
        ex -> {
          String auth = ex.getRequestHeaders().getFirst("Authorization");
          seenAuth.add(auth);
          seenUris.add(ex.getRequestURI().toString());
          boolean ok = ("Bearer " + GOOD).equals(auth);
          byte[] body =
              (ok ? "{\"login\":\"mia-gh\",\"id\":7}" : "{\"message\":\"Bad credentials\"}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(ok ? 200 : 401, body.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
          }
        });
    git.start();
    try (LogCapture logs = LogCapture.begin();
        TestKeyroom k =
            TestKeyroom.start(
                TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)),
                c ->
                    c.with(
                        Config.Setting.GIT_API_URL,
                        "http://127.0.0.1:" + git.getAddress().getPort() + "/api/v3/"))) {
      Tenancy.Founded acme = k.tenant("acme");
      TenantId tenant = acme.tenant().id();
      UserId mia = k.keyroom.tenancy().createUser(tenant, "mia", Role.MEMBER, "test").id();
      String token = k.keyroom.tokens().issueForUser(tenant, mia, "t", "test").token();
      String good =
          Browser.json(
                  k.post(
                      "/api/v1/me/integrations",
                      token,
                      "{\"kind\":\"git-token\",\"name\":\"gh\",\"value\":\"" + GOOD + "\"}"))
              .get("id")
              .asText();
      String bad =
          Browser.json(
                  k.post(
                      "/api/v1/me/integrations",
                      token,
                      "{\"kind\":\"git-token\",\"name\":\"old\",\"value\":\"" + BAD + "\"}"))
              .get("id")
              .asText();
      String env =
          Browser.json(
                  k.post(
                      "/api/v1/me/integrations",
                      token,
                      "{\"kind\":\"personal-env\",\"name\":\"MY_VAR\",\"value\":\"x\"}"))
              .get("id")
              .asText();

      HttpResponse<String> ok = k.post("/api/v1/me/integrations/" + good + "/test", token, null);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("\"ok\":true").contains("\"account\":\"mia-gh\"");
      HttpResponse<String> refused =
          k.post("/api/v1/me/integrations/" + bad + "/test", token, null);
      assertThat(refused.statusCode()).isEqualTo(200);
      assertThat(refused.body()).contains("\"ok\":false").contains("\"status\":401");
      assertThat(k.post("/api/v1/me/integrations/" + env + "/test", token, null).statusCode())
          .isEqualTo(400);
      assertThat(
              k.post("/api/v1/me/integrations/" + good + "/test", acme.adminToken().token(), null)
                  .statusCode())
          .isEqualTo(404);

      // The token went in the Authorization header only, never in a URL.
      assertThat(seenAuth).contains("Bearer " + GOOD, "Bearer " + BAD);
      assertThat(seenUris).allSatisfy(u -> assertThat(u).isEqualTo("/api/v3/user"));
      for (String s : List.of(GOOD, BAD)) {
        assertThat(ok.body() + refused.body()).doesNotContain(s);
        assertThat(logs.all()).doesNotContain(s);
      }
    } finally {
      git.stop(0);
    }
  }
}
