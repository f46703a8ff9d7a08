package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keyroom.api.Json;
import dev.keyroom.testing.CliProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code keyroom git-credential get} (as git runs it) sends, and where, seen by stand-ins for
 * Keyroom on loopback: the session token goes only to KEYROOM_URL — a redirect is not followed —
 * git's fields arrive as they were (a host cannot smuggle in another field), and a refusal is
 * passed on with the server's message and ends git's asking (quit=1).
 */
class GitCredentialSendsOnlyToItsKeyroomTest {
  static final String TOKEN = "kr_sess_canaryHelperToken0000000000000001";
  final List<String> elsewhere = new CopyOnWriteArrayList<>();
  final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
  HttpServer other;
  HttpServer keyroom;

  @AfterEach
  void stop() {
    if (other != null) other.stop(0);
    if (keyroom != null) keyroom.stop(0);
  }

  @Test
  void aRedirectIsNotFollowed_theTokenReachesNoOtherServer() throws IOException {
    other =
        server(
            x -> {
              elsewhere.add(
                  x.getRequestMethod()
                      + " "
                      + x.getRequestURI()
                      + " "
                      + x.getRequestHeaders().getFirst("Authorization"));
              answer(x, 200, "{\"id\":\"ses_elsewhere\",\"username\":\"u\",\"password\":\"p\"}");
            });
    String away = "http://127.0.0.1:" + other.getAddress().getPort();
    keyroom =
        server(
            x -> {
              x.getResponseHeaders().set("Location", away + x.getRequestURI());
              answer(x, 307, "");
            });

    // without KEYROOM_SESSION_ID the helper first asks GET /api/v1/session: the call a client
    // would most readily follow to another host
    CliProcess.Result r =
        CliProcess.run(
            Map.of("KEYROOM_URL", url(keyroom), "KEYROOM_SESSION_TOKEN", TOKEN),
            "protocol=https\nhost=github.com\n\n".getBytes(StandardCharsets.UTF_8),
            "git-credential",
            "get");
    assertThat(elsewhere).isEmpty();
    assertThat(r.stdout()).isEqualTo("quit=1\n");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains("HTTP 307").doesNotContain(TOKEN);
  }

  @Test
  void gitsFieldsArriveAsSent_andTheAnswerGoesToGit() throws IOException {
    keyroom =
        server(
            x -> {
              bodies.add(Json.MAPPER.readTree(x.getRequestBody().readAllBytes()));
              assertThat(x.getRequestHeaders().getFirst("Authorization"))
                  .isEqualTo("Bearer " + TOKEN);
              answer(
                  x,
                  200,
                  "{\"username\":\"x-access-token\",\"password\":\"ghp_canary\\\"quoted\\\\\"}");
            });
    String host = "evil.example\",\"host\":\"github.com";
    CliProcess.Result r =
        CliProcess.run(
            Map.of(
                "KEYROOM_URL",
                url(keyroom),
                "KEYROOM_SESSION_TOKEN",
                TOKEN,
                "KEYROOM_SESSION_ID",
                "ses_given"),
            ("protocol=https\nhost=" + host + "\npath=o/r.git\n\n")
                .getBytes(StandardCharsets.UTF_8),
            "git-credential",
            "get");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("username=x-access-token\npassword=ghp_canary\"quoted\\\n");
    assertThat(bodies)
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.get("host").asText()).isEqualTo(host);
              assertThat(b.get("protocol").asText()).isEqualTo("https");
              assertThat(b.get("path").asText()).isEqualTo("o/r.git");
              assertThat(b.get("username").isNull()).isTrue();
              assertThat(b.size()).isEqualTo(4);
            });
  }

  @Test
  void aRefusedTokenIsReportedWithTheServersMessage() throws IOException {
    keyroom =
        server(
            x -> {
              x.getResponseHeaders()
                  .set("WWW-Authenticate", "Bearer realm=\"keyroom\", error=\"invalid_token\"");
              answer(
                  x,
                  401,
                  "{\"error\":\"unauthenticated\",\"message\":\"session token unknown or ended\"}");
            });
    CliProcess.Result r =
        CliProcess.run(
            Map.of(
                "KEYROOM_URL",
                url(keyroom),
                "KEYROOM_SESSION_TOKEN",
                TOKEN,
                "KEYROOM_SESSION_ID",
                "ses_given"),
            "protocol=https\nhost=github.com\n\n".getBytes(StandardCharsets.UTF_8),
            "git-credential",
            "get");
    assertThat(r.stdout()).isEqualTo("quit=1\n");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains("session token unknown or ended (HTTP 401)");
  }

  private interface Handler {
    void handle(HttpExchange x) throws IOException;
  }

  private static HttpServer server(Handler h) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext(
        "/",
        x -> {
          try {
            h.handle(x);
          } catch (IOException | RuntimeException | AssertionError e) {
            answer(x, 500, "{\"message\":\"stand-in: " + e.getClass().getSimpleName() + "\"}");
          }
        });
    s.start();
    return s;
  }

  private static String url(HttpServer s) {
    return "http://127.0.0.1:" + s.getAddress().getPort();
  }

  private static void answer(HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(b);
    }
  }
}
