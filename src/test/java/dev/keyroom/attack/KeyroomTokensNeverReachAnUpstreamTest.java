package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.proxy.FakeUpstream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider never sees a Keyroom token: a placeholder or session token that a workroom's code puts
 * in a query parameter or an ordinary-looking header is dropped, not forwarded (a provider's logs
 * would otherwise hold a credential that opens this tenant's proxy until the session ends).
 */
class KeyroomTokensNeverReachAnUpstreamTest {
  @TempDir Path dir;
  ProxiedTenants f;

  @BeforeEach
  void start() {
    f = new ProxiedTenants(dir);
    f.upstream.on("/v1beta", (ex, seen) -> FakeUpstream.json(ex, 200, "{}"));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void placeholdersAndSessionTokensInQueriesAndHeadersAreDropped() {
    ProxiedTenants.Tenant a = f.tenant("acme");
    String sessionToken = a.session().token();
    String query =
        "?alt=json&token="
            + a.placeholder()
            + "&state="
            + URLEncoder.encode("x " + sessionToken, StandardCharsets.UTF_8);

    HttpResponse<String> res =
        f.get(
            a,
            "/v1beta/models" + query,
            "X-Request-Note",
            "from " + a.placeholder(),
            "X-Trace",
            "Bearer " + sessionToken,
            "X-Plain",
            "kept");

    assertThat(res.statusCode()).isEqualTo(200);
    FakeUpstream.Seen seen = f.upstream.last();
    assertThat(seen.everything())
        .doesNotContain(a.placeholder())
        .doesNotContain(sessionToken)
        .doesNotContain("kr_ph_")
        .doesNotContain("kr_sess_");
    assertThat(seen.query()).isEqualTo("alt=json");
    assertThat(seen.header("x-plain")).isEqualTo("kept");
  }

  /**
   * Token bodies are base64url, so about one token in 32 starts with '-' or '_': a filter that
   * wanted a letter or digit after the prefix let those through (found by a full run whose random
   * session token began with '-'). Every prefix, every kind of first character, header and query.
   */
  @Test
  void tokensWhoseBodyStartsWithADashOrUnderscoreAreDroppedToo() {
    ProxiedTenants.Tenant a = f.tenant("acme");
    String body = "Zm9vYmFyYmF6cXV4MDEyMzQ1Njc4OWFiY2RlZmdoaWo"; // 43 base64url characters
    java.util.List<String> shapes = new java.util.ArrayList<>();
    for (String prefix : java.util.List.of("kr_u_", "kr_s_", "kr_sess_", "kr_ph_gemini_")) {
      for (char first : new char[] {'-', '_', 'A', '7'}) {
        shapes.add(prefix + first + body.substring(1));
      }
    }
    for (String token : shapes) {
      HttpResponse<String> res =
          f.get(
              a,
              "/v1beta/models?alt=json&state="
                  + URLEncoder.encode("x " + token, StandardCharsets.UTF_8),
              "X-Trace",
              "Bearer " + token);
      assertThat(res.statusCode()).as(token).isEqualTo(200);
      FakeUpstream.Seen seen = f.upstream.last();
      assertThat(seen.everything()).as(token).doesNotContain(token);
      assertThat(seen.query()).as(token).isEqualTo("alt=json");
      assertThat(seen.header("x-trace")).as(token).isNull();
    }
  }
}
