package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import dev.keyroom.proxy.FakeUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key scrubber reads what it scrubs: the proxy asks for identity encoding, and an upstream that
 * compresses anyway (here: always, whatever Accept-Encoding says) has its body decoded, scrubbed
 * and sent decoded. An encoding the proxy cannot decode is refused with 502, never passed through
 * unread.
 */
class ProxyScrubsEncodedBodiesTest {
  @TempDir Path dir;
  ProxiedTenants f;
  ProxiedTenants.Tenant a;

  @BeforeEach
  void start() {
    f = new ProxiedTenants(dir);
    a = f.tenant("acme");
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** An error body quoting the key it received, as some providers do. */
  private static byte[] echo(FakeUpstream.Seen seen) {
    return ("{\"error\":{\"message\":\"API key not valid: "
            + seen.header("x-goog-api-key")
            + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange ex, String encoding, byte[] encoded) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("Content-Encoding", encoding);
    ex.sendResponseHeaders(400, encoded.length);
    ex.getResponseBody().write(encoded);
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }

  private static byte[] deflate(byte[] plain, boolean zlibWrapped) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream d =
        new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, !zlibWrapped))) {
      d.write(plain);
    }
    return out.toByteArray();
  }

  @Test
  void theProxyAsksForIdentityEncoding() {
    f.upstream.on("/v1beta", (ex, seen) -> FakeUpstream.json(ex, 200, "{}"));

    f.get(a, "/v1beta/models", "Accept-Encoding", "gzip, deflate, br");

    assertThat(f.upstream.last().header("accept-encoding")).isEqualTo("identity");
  }

  @Test
  void aGzippedEchoOfTheKeyIsDecodedAndScrubbed() {
    f.upstream.on("/v1beta", (ex, seen) -> send(ex, "gzip", gzip(echo(seen))));

    HttpResponse<byte[]> res =
        f.send(
            f.request(a, "/v1beta/models").GET().build(), HttpResponse.BodyHandlers.ofByteArray());

    String body = new String(res.body(), StandardCharsets.UTF_8);
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(res.headers().firstValue("content-encoding")).isEmpty();
    assertThat(body)
        .startsWith("{\"error\":{\"message\":\"API key not valid: ***")
        .doesNotContain(a.key());
    assertThat(body).hasSize(echo(f.upstream.last()).length);
  }

  @Test
  void deflateIsDecodedWhetherZlibWrappedOrRaw() {
    for (boolean wrapped : new boolean[] {true, false}) {
      f.upstream.on("/v1beta", (ex, seen) -> send(ex, "deflate", deflate(echo(seen), wrapped)));

      HttpResponse<String> res = f.get(a, "/v1beta/models");

      assertThat(res.statusCode()).as("zlib-wrapped: " + wrapped).isEqualTo(400);
      assertThat(res.headers().firstValue("content-encoding")).isEmpty();
      assertThat(res.body()).contains("API key not valid: ***").doesNotContain(a.key());
    }
  }

  @Test
  void anEncodingTheProxyCannotDecodeIsRefusedWith502() {
    f.upstream.on("/v1beta", (ex, seen) -> send(ex, "br", echo(seen)));

    HttpResponse<String> res = f.get(a, "/v1beta/models");

    assertThat(res.statusCode()).isEqualTo(502);
    assertThat(res.body())
        .contains("\"error\":\"upstream_unreachable\"")
        .contains("Content-Encoding")
        .doesNotContain(a.key());
  }

  @Test
  void aGzippedStreamIsDecodedEventByEvent() throws Exception {
    java.util.concurrent.CountDownLatch firstRead = new java.util.concurrent.CountDownLatch(1);
    f.upstream.on(
        "/v1beta",
        (ex, seen) -> {
          ex.getResponseHeaders().set("Content-Type", "text/event-stream");
          ex.getResponseHeaders().set("Content-Encoding", "gzip");
          ex.sendResponseHeaders(200, 0);
          GZIPOutputStream gz = new GZIPOutputStream(ex.getResponseBody(), true);
          gz.write(
              ("data: {\"echo\":\"" + seen.header("x-goog-api-key") + "\"}\n\n")
                  .getBytes(StandardCharsets.UTF_8));
          gz.flush();
          firstRead.await(10, java.util.concurrent.TimeUnit.SECONDS);
          gz.write("data: {\"done\":true}\n\n".getBytes(StandardCharsets.UTF_8));
          gz.finish();
        });

    HttpResponse<java.io.InputStream> res = f.stream(a, "/v1beta/models:streamGenerateContent");

    assertThat(res.headers().firstValue("content-encoding")).isEmpty();
    try (var r =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
      assertThat(r.readLine())
          .isEqualTo("data: {\"echo\":\"" + "*".repeat(a.key().length()) + "\"}");
      firstRead.countDown();
      assertThat(r.readLine()).isEmpty();
      assertThat(r.readLine()).isEqualTo("data: {\"done\":true}");
    }
  }
}
