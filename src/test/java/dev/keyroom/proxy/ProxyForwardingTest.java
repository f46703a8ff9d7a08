package dev.keyroom.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.testing.LogCapture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What crosses the proxy: the real key in the catalog header, nothing the client tried to smuggle.
 */
class ProxyForwardingTest {
  @TempDir Path dir;
  ProxyFixture f;
  LogCapture logs;

  @BeforeEach
  void start() {
    logs = LogCapture.begin();
    f = new ProxyFixture(dir);
    f.upstream.on("/", (ex, seen) -> FakeUpstream.json(ex, 200, "{\"ok\":true}"));
  }

  @AfterEach
  void stop() {
    f.close();
    logs.close();
  }

  @Test
  void geminiGetsTheRealKeyInItsHeaderAndNeverThePlaceholderOrOtherCredentials() {
    String ph = f.placeholders.get("gemini");
    HttpResponse<String> res =
        f.send(
            "POST",
            "/proxy/gemini/v1beta/models/gemini-2.5-flash:generateContent?alt=json&key=" + ph,
            "{\"contents\":[]}",
            "x-goog-api-key",
            ph,
            "Authorization",
            "Bearer smuggled-bearer",
            "x-api-key",
            "smuggled-x-api-key",
            "xi-api-key",
            "smuggled-xi",
            "Cookie",
            "session=smuggled-cookie",
            "X-Forwarded-Host",
            "evil.example",
            "X-Forwarded-For",
            "10.0.0.1",
            "Forwarded",
            "host=evil.example",
            "Proxy-Authorization",
            "Basic c211Z2dsZWQ=",
            "X-Keyroom-Internal",
            "x",
            "Content-Type",
            "application/json",
            "User-Agent",
            "google-genai-sdk/2.0.0");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("{\"ok\":true}");
    FakeUpstream.Seen seen = f.upstream.last();
    assertThat(seen.path()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
    assertThat(seen.query()).isEqualTo("alt=json");
    assertThat(seen.header("x-goog-api-key")).isEqualTo(f.keys.get("gemini"));
    assertThat(seen.header("host")).isEqualTo("127.0.0.1:" + f.upstream.port());
    assertThat(seen.header("user-agent")).isEqualTo("google-genai-sdk/2.0.0");
    assertThat(seen.header("accept-encoding")).isEqualTo("identity");
    for (String gone :
        new String[] {
          "authorization",
          "x-api-key",
          "xi-api-key",
          "cookie",
          "x-forwarded-host",
          "x-forwarded-for",
          "forwarded",
          "proxy-authorization",
          "x-keyroom-internal"
        }) {
      assertThat(seen.header(gone)).as(gone).isNull();
    }
    assertThat(seen.everything())
        .doesNotContain(ph)
        .doesNotContain("smuggled")
        .doesNotContain("kr_ph_");
    assertThat(res.headers().firstValue("X-Accel-Buffering")).contains("no");
    assertThat(logs.all()).doesNotContain(f.keys.get("gemini")).doesNotContain(ph);
  }

  @Test
  void eachProviderGetsItsKeyInItsOwnHeaderAndFormat() {
    String[][] cases = {
      {"openai", "Authorization", "Bearer ", "Authorization", "Bearer "},
      {"anthropic", "x-api-key", "", "x-api-key", ""},
      {"elevenlabs", "xi-api-key", "", "xi-api-key", ""},
      {"heygen", "X-Api-Key", "", "x-api-key", ""},
      {"firecrawl", "Authorization", "Bearer ", "Authorization", "Bearer "},
    };
    for (String[] c : cases) {
      String provider = c[0];
      HttpResponse<String> res =
          f.send(
              "GET",
              "/proxy/" + provider + "/v1/thing",
              null,
              c[1],
              c[2] + f.placeholders.get(provider),
              "anthropic-version",
              "2023-06-01");
      assertThat(res.statusCode()).as(provider).isEqualTo(200);
      FakeUpstream.Seen seen = f.upstream.last();
      assertThat(seen.header(c[3])).as(provider).isEqualTo(c[4] + f.keys.get(provider));
      assertThat(seen.everything()).as(provider).doesNotContain("kr_ph_");
      if (provider.equals("anthropic")) {
        assertThat(seen.header("anthropic-version")).isEqualTo("2023-06-01");
      }
    }
  }

  @Test
  void upstreamErrorsPassThroughUnchanged() {
    f.upstream.on(
        "/v1/limited",
        (ex, seen) -> {
          ex.getResponseHeaders().set("Retry-After", "7");
          FakeUpstream.json(ex, 429, "{\"error\":{\"type\":\"rate_limit_error\"}}");
        });
    HttpResponse<String> res =
        f.send(
            "POST",
            "/proxy/anthropic/v1/limited",
            "{}",
            "x-api-key",
            f.placeholders.get("anthropic"));
    assertThat(res.statusCode()).isEqualTo(429);
    assertThat(res.body()).isEqualTo("{\"error\":{\"type\":\"rate_limit_error\"}}");
    assertThat(res.headers().firstValue("Retry-After")).contains("7");
  }

  @Test
  void aKeyEchoedByTheUpstreamIsMaskedInBodyAndHeaders() {
    String key = f.keys.get("openai");
    f.upstream.on(
        "/v1/echo",
        (ex, seen) -> {
          ex.getResponseHeaders().set("X-Debug", "sent " + seen.header("authorization"));
          FakeUpstream.json(
              ex,
              401,
              "{\"error\":{\"message\":\"Incorrect API key provided: " + key + ". Check it.\"}}");
        });
    HttpResponse<String> res =
        f.send(
            "GET",
            "/proxy/openai/v1/echo",
            null,
            "Authorization",
            "Bearer " + f.placeholders.get("openai"));
    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(res.body()).doesNotContain(key).contains("*".repeat(key.length()));
    assertThat(res.headers().map().toString()).doesNotContain(key);
  }

  @Test
  void scrubbingHoldsNothingBackThatCannotBeTheKey() {
    KeyScrubber s = new KeyScrubber("sk-abcdefghijkl".getBytes());
    assertThat(new String(s.process("data: {}\n\n".getBytes(), 0, 10))).isEqualTo("data: {}\n\n");
    assertThat(new String(s.process("xx sk-abc".getBytes(), 0, 9))).isEqualTo("xx ");
    assertThat(new String(s.process("defghijkl yy".getBytes(), 0, 12)))
        .isEqualTo("*************** yy");
    assertThat(new String(s.process("end sk-".getBytes(), 0, 7))).isEqualTo("end ");
    assertThat(new String(s.finish())).isEqualTo("sk-");
  }
}
