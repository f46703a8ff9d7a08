package dev.keyroom.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.error.ForbiddenException;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.util.thread.Invocable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Where requests run, and what a core route (served ahead of Javalin, like the proxy) gets that
 * every route gets: request handlers on virtual threads — Javalin's and core ones alike, since both
 * may block on the database — with Jetty's I/O on platform threads; Keyroom's security headers, the
 * request metric by route template, and failures as {@code {"error","message"}}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpServerThreadsAndCoreRoutesTest {
  private final Metrics metrics = new Metrics();
  private HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  void start() {
    ApiRoutes.Module module =
        r -> {
          r.unauthenticated(
              HandlerType.GET, "/t/javalin", ctx -> ctx.result(Boolean.toString(mayBlock())));
          r.core(
              "/t/core/",
              "/t/core/<path>",
              (request, response, callback) -> {
                String path = request.getHttpURI().getPath();
                if (path.endsWith("/refused")) {
                  throw new ForbiddenException("refused by rule X");
                }
                if (path.endsWith("/bug")) {
                  throw new IllegalStateException("a message that must not reach the client");
                }
                response.setStatus(path.endsWith("/created") ? 201 : 200);
                response.write(
                    true,
                    ByteBuffer.wrap(Boolean.toString(mayBlock()).getBytes(StandardCharsets.UTF_8)),
                    callback);
                return true;
              });
        };
    server = new HttpServer("127.0.0.1", 0, null, metrics, List.of(module)).start();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * True where a handler may block: a virtual thread, or a pool thread that handed its selecting to
   * another before running the handler — never a task Jetty runs as non-blocking on a selector.
   */
  private static boolean mayBlock() {
    return !Invocable.isNonBlockingInvocation();
  }

  @Test
  void handlersRunWhereTheyMayBlock_andJettysIoOnPlatformThreads() throws Exception {
    assertThat(get("/t/javalin").body()).isEqualTo("true");
    assertThat(get("/t/core/x").body()).isEqualTo("true");
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> t.getName().startsWith("keyroom-http"))
        .isNotEmpty()
        .allSatisfy(t -> assertThat(t.isVirtual()).isFalse());
  }

  @Test
  void aCoreRouteGetsTheSecurityHeadersAndIsCountedByItsTemplate() throws Exception {
    // only this request answers 201, so no other test's request can be counted here
    assertThat(created()).isZero();
    HttpResponse<String> res = get("/t/core/created");
    assertThat(res.statusCode()).isEqualTo(201);
    assertThat(res.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(res.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(res.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    // counted when the exchange completes, which is after the client may have read the answer
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    while (created() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(created()).isEqualTo(1);
  }

  private long created() {
    return metrics.value(
        "keyroom_http_requests_total", "method", "GET", "route", "/t/core/<path>", "status", "201");
  }

  @Test
  void whatACoreRouteThrowsIsAnsweredAsEveryRoutesErrorsAre() throws Exception {
    HttpResponse<String> refused = get("/t/core/refused");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(refused.body()).contains("\"error\":\"forbidden\"").contains("refused by rule X");

    HttpResponse<String> bug = get("/t/core/bug");
    assertThat(bug.statusCode()).isEqualTo(500);
    assertThat(bug.body()).contains("\"error\":\"internal\"").doesNotContain("must not reach");
  }

  @Test
  void pathsOutsideTheCoreRoutesStillReachJavalin() throws Exception {
    HttpResponse<String> res = get("/t/other");
    assertThat(res.statusCode()).isEqualTo(404);
    assertThat(res.body()).contains("no such route");
  }
}
