package dev.keyroom.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.app.Config;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping Keyroom lets a proxied request in flight run to its end and records it as it ended: new
 * proxy requests are refused with 503 meanwhile, the request's client receives its whole answer,
 * and its usage row says 200, ok. Without the drain, the server stopped under it, cut the upstream
 * read and recorded a request its client had fully received as failed.
 */
class AnOrderlyStopFinishesRequestsInFlightTest {
  @TempDir Path dir;

  @Test
  void aRequestInFlightFinishesAndIsRecordedAsItEnded_whileNewOnesGet503() throws Exception {
    CountDownLatch upstreamStarted = new CountDownLatch(1);
    CountDownLatch finishUpstream = new CountDownLatch(1);
    FakeUpstream upstream =
        new FakeUpstream()
            .on(
                "/v1beta/models/slow:generateContent",
                (ex, seen) -> {
                  byte[] head = "{\"candidates\":[],".getBytes(StandardCharsets.UTF_8);
                  byte[] tail =
                      "\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":4}}"
                          .getBytes(StandardCharsets.UTF_8);
                  ex.getResponseHeaders().add("Content-Type", "application/json");
                  ex.sendResponseHeaders(200, head.length + tail.length);
                  OutputStream out = ex.getResponseBody();
                  out.write(head);
                  out.flush();
                  upstreamStarted.countDown();
                  finishUpstream.await(30, TimeUnit.SECONDS);
                  out.write(tail);
                  out.close();
                })
            .on("/v1beta/probe", (ex, seen) -> FakeUpstream.json(ex, 200, "{}"));
    Config config = TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir));
    for (String p : ProxyFixture.PROVIDERS) {
      config = config.withUpstream(p, upstream.url());
    }
    ProxyFixture f = new ProxyFixture(dir, upstream, UnaryOperator.identity());
    // the fixture started its own Keyroom on this directory: use it, with its session
    HttpClient http = HttpClient.newHttpClient();
    String url = f.k.url() + "/proxy/gemini/v1beta/models/slow:generateContent";
    String placeholder = f.placeholders.get("gemini");
    CompletableFuture<HttpResponse<String>> inFlight =
        http.sendAsync(
            HttpRequest.newBuilder(URI.create(url))
                .header("x-goog-api-key", placeholder)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(upstreamStarted.await(30, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(f.k::close);
    HttpResponse<String> refused = null;
    for (int i = 0; i < 200 && refused == null; i++) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(f.k.url() + "/proxy/gemini/v1beta/probe"))
                  .header("x-goog-api-key", placeholder)
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 503) {
        refused = r;
      } else {
        Thread.onSpinWait(); // the drain has not begun yet: the request was served (200)
      }
    }
    assertThat(refused).as("a new request while the stop drains").isNotNull();
    assertThat(refused.body()).contains("stopping");
    assertThat(stopping).as("the stop waits for the request in flight").isNotDone();

    finishUpstream.countDown();
    HttpResponse<String> answered = inFlight.get(30, TimeUnit.SECONDS);
    assertThat(answered.statusCode()).isEqualTo(200);
    assertThat(answered.body()).endsWith("\"candidatesTokenCount\":4}}");
    stopping.get(30, TimeUnit.SECONDS);

    try (TestKeyroom again = TestKeyroom.start(config, UnaryOperator.identity())) {
      List<Map<String, Object>> rows =
          again
              .keyroom
              .db()
              .jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT status, outcome, output_tokens FROM usage_records"
                                  + " WHERE path LIKE '%slow%' AND status = 200")
                          .mapToMap()
                          .list());
      assertThat(rows).as("the request that was in flight").isNotEmpty();
      assertThat(rows)
          .allSatisfy(
              r -> {
                assertThat(r.get("outcome")).isEqualTo("ok");
              });
    } finally {
      upstream.close();
    }
  }
}
