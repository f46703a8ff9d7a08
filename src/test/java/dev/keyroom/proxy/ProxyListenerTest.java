package dev.keyroom.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.app.Config;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code KEYROOM_PROXY_PORT}: the provider proxy on a listener of its own, so operators can put the
 * proxy and the API behind different network rules. The proxy answers there alone, that listener
 * answers nothing else but {@code /health}, and the base URLs a session's environment carries point
 * at it ({@code KEYROOM_PROXY_PUBLIC_URL} when set).
 */
class ProxyListenerTest {
  @TempDir Path dir;

  @Test
  void theProxyAnswersOnItsOwnListenerAlone_andEnvironmentsPointThere() throws Exception {
    try (ProxyFixture f =
        new ProxyFixture(dir, new FakeUpstream(), c -> c.with(Config.Setting.PROXY_PORT, "0"))) {
      f.upstream.on("/", (ex, seen) -> FakeUpstream.json(ex, 200, "{\"ok\":true}"));
      int proxyPort = f.k.keyroom.http().proxyPort();
      assertThat(proxyPort).isPositive().isNotEqualTo(java.net.URI.create(f.k.url()).getPort());
      String proxy = "http://127.0.0.1:" + proxyPort;
      String main = f.k.url();

      Map<String, String> env = environment(f);
      assertThat(env.get("GOOGLE_GEMINI_BASE_URL")).isEqualTo(proxy + "/proxy/gemini");
      assertThat(env.get("KEYROOM_URL")).isEqualTo(main);

      HttpResponse<String> there = get(f, proxy + "/proxy/gemini/v1beta/models");
      assertThat(there.statusCode()).as(there.body()).isEqualTo(200);
      HttpResponse<String> notHere = get(f, main + "/proxy/gemini/v1beta/models");
      assertThat(notHere.statusCode()).isEqualTo(404);
      assertThat(notHere.body()).contains("KEYROOM_PROXY_PORT");
      assertThat(f.upstream.seen())
          .as("only the request on the proxy's listener went on")
          .hasSize(1);

      HttpResponse<String> api = get(f, proxy + "/api/v1/me");
      assertThat(api.statusCode()).isEqualTo(404);
      assertThat(api.body()).contains("serves the provider proxy");
      assertThat(get(f, proxy + "/health").statusCode()).isEqualTo(200);
      assertThat(get(f, proxy + "/").statusCode()).as("the web UI").isEqualTo(404);
    }
  }

  @Test
  void aProxyPublicUrlIsWhatEnvironmentsCarry() throws Exception {
    try (ProxyFixture f =
        new ProxyFixture(
            dir,
            new FakeUpstream(),
            c ->
                c.with(Config.Setting.PROXY_PORT, "0")
                    .with(Config.Setting.PROXY_PUBLIC_URL, "https://proxy.example.com/"))) {
      assertThat(environment(f).get("OPENAI_BASE_URL"))
          .isEqualTo("https://proxy.example.com/proxy/openai/v1");
    }
  }

  @Test
  void aProxyPortThatIsNotAPortOrIsTheMainOneIsRefusedNamingTheSetting() {
    Config base = Config.defaults().with(Config.Setting.PORT, "8080");
    assertThatThrownBy(() -> base.with(Config.Setting.PROXY_PORT, "http").proxyPort())
        .isInstanceOf(Config.ConfigException.class)
        .hasMessageContaining("proxy-port must be a number from 0 to 65535");
    assertThatThrownBy(() -> base.with(Config.Setting.PROXY_PORT, "8080").proxyPort())
        .isInstanceOf(Config.ConfigException.class)
        .hasMessageContaining("proxy-port must differ from port");
    assertThat(base.proxyPort()).isEmpty();
    assertThat(base.proxyPublicUrl(8080, 0)).isEqualTo(base.publicUrl(8080));
  }

  private static Map<String, String> environment(ProxyFixture f) throws Exception {
    HttpResponse<String> res =
        f.k.get(
            "/api/v1/sessions/" + f.session.session().id().value() + "/environment",
            f.session.token());
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    JsonNode vars = Json.MAPPER.readTree(res.body()).get("variables");
    Map<String, String> out = new java.util.LinkedHashMap<>();
    vars.forEach(v -> out.put(v.get("name").asText(), v.get("value").asText()));
    return out;
  }

  private static HttpResponse<String> get(ProxyFixture f, String url) throws Exception {
    return f.http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .header("x-goog-api-key", f.placeholders.get("gemini"))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
