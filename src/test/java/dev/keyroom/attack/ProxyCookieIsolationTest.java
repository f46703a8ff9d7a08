package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy keeps no cookie: an upstream's Set-Cookie to one tenant is never replayed on another
 * tenant's (or the same tenant's) next call, never reaches the workroom, and a workroom's own
 * Cookie header never reaches the provider.
 */
class ProxyCookieIsolationTest {
  @TempDir Path dir;
  ProxiedTenants f;

  @BeforeEach
  void start() {
    f = new ProxiedTenants(dir);
    f.upstream.on(
        "/v1beta/models",
        (ex, seen) -> {
          ex.getResponseHeaders()
              .add("Set-Cookie", "sid=tenant-session-cookie; Path=/; Max-Age=3600");
          ex.getResponseHeaders().add("Set-Cookie2", "legacy=tenant-cookie2; Version=1; Path=/");
          dev.keyroom.proxy.FakeUpstream.json(ex, 200, "{\"models\":[]}");
        });
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void aCookieSetForOneTenantIsNeverReplayedOnAnothersRequest() {
    ProxiedTenants.Tenant a = f.tenant("acme");
    ProxiedTenants.Tenant b = f.tenant("globex");

    HttpResponse<String> first = f.get(a, "/v1beta/models");
    HttpResponse<String> second = f.get(b, "/v1beta/models");
    HttpResponse<String> third = f.get(a, "/v1beta/models");

    assertThat(List.of(first.statusCode(), second.statusCode(), third.statusCode()))
        .containsOnly(200);
    assertThat(f.upstream.seen())
        .hasSize(3)
        .allSatisfy(
            seen -> {
              assertThat(seen.header("cookie")).as("Cookie the upstream received").isNull();
              assertThat(seen.header("cookie2")).as("Cookie2 the upstream received").isNull();
            });
    assertThat(f.upstream.seen().get(1).header("x-goog-api-key")).isEqualTo(b.key());
  }

  @Test
  void upstreamCookiesNeverReachTheWorkroom() {
    ProxiedTenants.Tenant a = f.tenant("acme");

    HttpResponse<String> res = f.get(a, "/v1beta/models");

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().allValues("set-cookie")).isEmpty();
    assertThat(res.headers().allValues("set-cookie2")).isEmpty();
  }

  @Test
  void aWorkroomsCookieHeaderNeverReachesTheUpstream() {
    ProxiedTenants.Tenant a = f.tenant("acme");

    HttpResponse<String> res =
        f.get(
            a,
            "/v1beta/models",
            "Cookie",
            "workroom=chosen-by-the-workroom",
            "Cookie2",
            "$Version=1");

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(f.upstream.last().header("cookie")).isNull();
    assertThat(f.upstream.last().header("cookie2")).isNull();
  }
}
