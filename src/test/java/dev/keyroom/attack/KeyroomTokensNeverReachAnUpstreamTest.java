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
}
