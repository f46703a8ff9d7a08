package dev.keyroom.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream that closes a connection without answering — a pooled connection it had closed
 * already, as servers do with idle ones and some after every answer — costs the caller nothing when
 * the request can be sent again as it was (an idempotent method, no body): once more, on a new
 * connection, and never more than twice. A POST, which the upstream may have acted on, and a
 * request with a body, which streams from the caller and is not kept, are never sent twice.
 */
class ProxyRetriesTest {
  @TempDir Path dir;
  private ClosingUpstream upstream;
  private ProxyFixture f;

  @AfterEach
  void stop() throws IOException {
    if (f != null) {
      f.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private void start(IntPredicate closesConnection) throws IOException {
    upstream = new ClosingUpstream(closesConnection);
    f = new ProxyFixture(dir, new FakeUpstream(), c -> c.withUpstream("gemini", upstream.url()));
  }

  private long retries() {
    return f.k.keyroom.metrics().value("keyroom_proxy_retries_total", "provider", "gemini");
  }

  @Test
  void aConnectionClosedUnansweredIsTriedOnceMoreOnAnother() throws IOException {
    start(n -> n == 1);
    HttpResponse<String> res =
        f.send("GET", "/proxy/gemini/v1beta/models", null, "x-goog-api-key", ph());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("{\"ok\":true}");
    assertThat(upstream.requests).hasSize(2);
    assertThat(retries()).isEqualTo(1);
  }

  @Test
  void anUpstreamThatNeverAnswersIs502AfterOneRetry() throws IOException {
    start(n -> true);
    HttpResponse<String> res =
        f.send("GET", "/proxy/gemini/v1beta/models", null, "x-goog-api-key", ph());
    assertThat(res.statusCode()).isEqualTo(502);
    assertThat(res.body()).contains("\"error\":\"").doesNotContain(f.keys.get("gemini"));
    assertThat(upstream.requests).hasSize(2);
    assertThat(retries()).isEqualTo(1);
  }

  @Test
  void aPostIsNeverSentAgain_evenWithoutABody() throws IOException {
    // a closed connection does not say whether the upstream acted on the request
    start(n -> true);
    HttpResponse<String> res =
        f.send("POST", "/proxy/gemini/v1beta/models/m:countTokens", null, "x-goog-api-key", ph());
    assertThat(res.statusCode()).isEqualTo(502);
    assertThat(upstream.requests).containsExactly("POST");
    assertThat(retries()).isZero();
  }

  @Test
  void aRequestWithABodyIsNeverSentAgain() throws IOException {
    start(n -> true);
    HttpResponse<String> res =
        f.send(
            "PUT",
            "/proxy/gemini/v1beta/models/m:generateContent",
            "{\"contents\":[]}",
            "x-goog-api-key",
            ph(),
            "Content-Type",
            "application/json");
    assertThat(res.statusCode()).isEqualTo(502);
    assertThat(upstream.requests).containsExactly("PUT {\"contents\":[]}");
    assertThat(retries()).isZero();
  }

  private String ph() {
    return f.placeholders.get("gemini");
  }

  /**
   * A raw HTTP/1.1 upstream: reads each request whole (head and Content-Length body), then closes
   * the connection unanswered when {@code closesConnection} says so for its number (from 1), or
   * answers {@code {"ok":true}}.
   */
  static final class ClosingUpstream implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final IntPredicate closesConnection;

    ClosingUpstream(IntPredicate closesConnection) throws IOException {
      this.closesConnection = closesConnection;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual().start(this::accept);
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          int n = connections.incrementAndGet();
          Thread.ofVirtual().start(() -> serve(s, closesConnection.test(n)));
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s, boolean close) {
      try (s) {
        InputStream in = s.getInputStream();
        String head = head(in);
        if (head == null) {
          return;
        }
        int length = 0;
        for (String line : head.split("\r\n")) {
          if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        requests.add(head.substring(0, head.indexOf(' ')) + (body.isEmpty() ? "" : " " + body));
        if (close) {
          return;
        }
        OutputStream out = s.getOutputStream();
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
                    + "Connection: close\r\n\r\n{\"ok\":true}")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException e) {
        // the proxy went away; nothing to answer
      }
    }

    private static String head(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) >= 0) {
        b.write(c);
        String s = b.toString(StandardCharsets.ISO_8859_1);
        if (s.endsWith("\r\n\r\n")) {
          return s;
        }
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
