package dev.keyroom.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bodies stream both ways: no event waits for the next one, no upload is held in memory. */
class ProxyStreamingTest {
  @TempDir Path dir;
  ProxyFixture f;

  @BeforeEach
  void start() {
    f = new ProxyFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void eachSseEventReachesTheClientWithin50msOfBeingSent() throws Exception {
    int events = 8;
    Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
    f.upstream.on(
        "/v1/messages",
        (ex, seen) -> {
          ex.getResponseHeaders().set("Content-Type", "text/event-stream");
          ex.sendResponseHeaders(200, 0);
          var out = ex.getResponseBody();
          for (int i = 0; i < events; i++) {
            Thread.sleep(200);
            sentAt.put(i, System.nanoTime());
            out.write(
                ("event: ping\ndata: {\"type\":\"ping\",\"n\":" + i + "}\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
          out.write(
              ("event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":42}}\n\n")
                  .getBytes(StandardCharsets.UTF_8));
          out.flush();
        });
    // One stream first, unmeasured: on a busy machine the first pass through the streaming path
    // (class loading, compilation) alone can take longer than the bound.
    f.upstream.on(
        "/v1/warm",
        (ex, seen) -> {
          ex.getResponseHeaders().set("Content-Type", "text/event-stream");
          ex.sendResponseHeaders(200, 0);
          ex.getResponseBody().write("event: ping\ndata: {}\n\n".getBytes(StandardCharsets.UTF_8));
        });
    f.http.send(
        HttpRequest.newBuilder(URI.create(f.proxyUrl("anthropic") + "/v1/warm"))
            .header("x-api-key", f.placeholders.get("anthropic"))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(f.proxyUrl("anthropic") + "/v1/messages"))
            .header("x-api-key", f.placeholders.get("anthropic"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
            .build();
    HttpResponse<InputStream> res = f.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("X-Accel-Buffering")).contains("no");
    List<Long> delaysMs = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("data: {\"type\":\"ping\"")) {
          long now = System.nanoTime();
          int n = Integer.parseInt(line.replaceAll(".*\"n\":(\\d+).*", "$1"));
          delaysMs.add(TimeUnit.NANOSECONDS.toMillis(now - sentAt.get(n)));
        }
      }
    }
    assertThat(delaysMs).hasSize(events).allSatisfy(d -> assertThat(d).isLessThan(50));
    f.awaitUsage(2);
    Long out =
        f.k
            .keyroom
            .db()
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT output_tokens FROM usage_records WHERE path = '/v1/messages'")
                        .mapTo(Long.class)
                        .one());
    assertThat(out).isEqualTo(42);
  }

  @Test
  void a50MegabyteUploadStreamsToTheUpstreamWithoutBeingHeld() throws Exception {
    long size = 50L * 1024 * 1024;
    CountDownLatch upstreamGotFirstMegabyte = new CountDownLatch(1);
    AtomicLong received = new AtomicLong();
    f.upstream.on(
        "/v1/speech-to-text",
        (FakeUpstream.StreamingAnswer)
            (ex, seen) -> {
              byte[] buf = new byte[64 * 1024];
              int n;
              InputStream in = ex.getRequestBody();
              while ((n = in.read(buf)) >= 0) {
                if (received.addAndGet(n) >= 1024 * 1024) {
                  upstreamGotFirstMegabyte.countDown();
                }
              }
              FakeUpstream.json(ex, 200, "{\"text\":\"hello\",\"bytes\":" + received.get() + "}");
            });
    // The client sends its second half only once the upstream has seen the first megabyte: a proxy
    // that held the body until complete would deadlock here (and fail the 60 s wait).
    InputStream body =
        new InputStream() {
          long sent;

          @Override
          public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (sent >= size) {
              return -1;
            }
            if (sent >= size / 2) {
              try {
                if (!upstreamGotFirstMegabyte.await(60, TimeUnit.SECONDS)) {
                  throw new IllegalStateException(
                      "upstream saw nothing while the client was still sending");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
              }
            }
            int n = (int) Math.min(len, size - sent);
            java.util.Arrays.fill(b, off, off + n, (byte) 'a');
            sent += n;
            return n;
          }
        };
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long before = rt.totalMemory() - rt.freeMemory();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(f.proxyUrl("elevenlabs") + "/v1/speech-to-text"))
            .header("xi-api-key", f.placeholders.get("elevenlabs"))
            .header("Content-Type", "audio/mpeg")
            .POST(
                HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(() -> body), size))
            .build();
    HttpResponse<String> res = f.http.send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(received.get()).isEqualTo(size);
    assertThat(f.upstream.last().header("content-length")).isEqualTo(Long.toString(size));
    System.gc();
    long after = rt.totalMemory() - rt.freeMemory();
    assertThat(after - before).as("heap kept after proxying 50 MB").isLessThan(size / 2);
    f.awaitUsage(1);
    Long bytes =
        f.k
            .keyroom
            .db()
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT request_bytes FROM usage_records")
                        .mapTo(Long.class)
                        .one());
    assertThat(bytes).isEqualTo(size);
  }
}
