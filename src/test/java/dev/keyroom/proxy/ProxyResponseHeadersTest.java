package dev.keyroom.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A proxied response carries each single-valued header once, read off the wire. */
class ProxyResponseHeadersTest {
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

  private List<String> rawHeaders(String path) {
    String request =
        "GET /proxy/gemini"
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + f.k.keyroom.http().port()
            + "\r\nx-goog-api-key: "
            + f.placeholders.get("gemini")
            + "\r\nConnection: close\r\n\r\n";
    String response = RawHttp.exchange(f.k.keyroom.http().port(), request);
    String head = response.substring(0, response.indexOf("\r\n\r\n"));
    return Arrays.asList(head.split("\r\n"));
  }

  private static long count(List<String> headers, String name) {
    return headers.stream().filter(h -> h.toLowerCase(Locale.ROOT).startsWith(name + ":")).count();
  }

  @Test
  void exactlyOneContentTypeAndOneDateReachTheClient() {
    f.upstream.on("/v1beta", (ex, seen) -> FakeUpstream.json(ex, 200, "{\"models\":[]}"));

    List<String> headers = rawHeaders("/v1beta/models");

    assertThat(headers.get(0)).startsWith("HTTP/1.1 200");
    assertThat(count(headers, "content-type")).as("Content-Type lines in %s", headers).isEqualTo(1);
    assertThat(count(headers, "date")).as("Date lines in %s", headers).isEqualTo(1);
    assertThat(headers).contains("Content-Type: application/json");
  }

  @Test
  void aStreamedResponseAlsoCarriesOneContentTypeAndOneDate() {
    f.upstream.on(
        "/v1beta",
        (ex, seen) -> {
          ex.getResponseHeaders().set("Content-Type", "text/event-stream");
          ex.sendResponseHeaders(200, 0);
          ex.getResponseBody()
              .write("data: {}\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });

    List<String> headers = rawHeaders("/v1beta/models:streamGenerateContent");

    assertThat(count(headers, "content-type")).as("Content-Type lines in %s", headers).isEqualTo(1);
    assertThat(count(headers, "date")).as("Date lines in %s", headers).isEqualTo(1);
    assertThat(headers).contains("Content-Type: text/event-stream");
  }

  @Test
  void anAnswerWithoutContentTypeGetsNoneAndKeyroomsSecurityHeadersAppearOnce() {
    f.upstream.on(
        "/v1beta",
        (ex, seen) -> {
          ex.getResponseHeaders().add("X-Frame-Options", "ALLOWALL");
          ex.getResponseHeaders().add("Vary", "Origin");
          ex.getResponseHeaders().add("Vary", "Accept");
          ex.sendResponseHeaders(204, -1);
        });

    List<String> headers = rawHeaders("/v1beta/cachedContents/x");

    assertThat(headers.get(0)).startsWith("HTTP/1.1 204");
    assertThat(count(headers, "content-type")).as("Content-Type lines in %s", headers).isZero();
    assertThat(count(headers, "date")).as("Date lines in %s", headers).isEqualTo(1);
    assertThat(headers)
        .contains("X-Frame-Options: DENY")
        .doesNotContain("X-Frame-Options: ALLOWALL");
    assertThat(count(headers, "vary")).as("Vary lines in %s", headers).isEqualTo(2);
  }
}
