package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyroom.app.Config;
import dev.keyroom.proxy.FakeUpstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One session (or one tenant) cannot hold the proxy open without bound: past the configured number
 * of concurrent requests the next one is refused with 429 naming the limit, other tenants are
 * untouched, and every way an exchange ends (answer, upstream failure, client gone) gives its place
 * back.
 */
class ProxyConcurrencyCapTest {
  @TempDir Path dir;
  ProxiedTenants f;
  final Semaphore arrived = new Semaphore(0);
  final CountDownLatch gate = new CountDownLatch(1);

  @BeforeEach
  void start() {
    f =
        new ProxiedTenants(
            dir,
            c ->
                c.with(Config.Setting.PROXY_MAX_CONCURRENT_PER_SESSION, "2")
                    .with(Config.Setting.PROXY_MAX_CONCURRENT_PER_TENANT, "3"));
    f.upstream.on(
        "/v1beta/hold",
        (ex, seen) -> {
          arrived.release();
          gate.await(20, TimeUnit.SECONDS);
          FakeUpstream.json(ex, 200, "{\"held\":true}");
        });
    f.upstream.on("/v1beta/models", (ex, seen) -> FakeUpstream.json(ex, 200, "{\"models\":[]}"));
    f.upstream.on(
        "/v1beta/stream",
        (ex, seen) -> {
          ex.getResponseHeaders().set("Content-Type", "text/event-stream");
          ex.sendResponseHeaders(200, 0);
          OutputStream out = ex.getResponseBody();
          for (int i = 0; i < 200; i++) {
            out.write(("data: {\"n\":" + i + "}\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(50);
          }
        });
    f.upstream.on(
        "/v1beta/broken",
        (ex, seen) -> {
          ex.sendResponseHeaders(200, 1000);
          ex.getResponseBody().write("{\"partial\":".getBytes(StandardCharsets.UTF_8));
          ex.getResponseBody().flush();
          throw new IllegalStateException("the upstream breaks off mid-response");
        });
  }

  @AfterEach
  void stop() {
    gate.countDown();
    f.close();
  }

  private CompletableFuture<HttpResponse<String>> held(ProxiedTenants.Tenant t) {
    return f.http.sendAsync(
        f.request(t, "/v1beta/hold").GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private void awaitArrivals(int n) throws InterruptedException {
    assertThat(arrived.tryAcquire(n, 10, TimeUnit.SECONDS))
        .as(n + " requests reached the upstream")
        .isTrue();
  }

  /**
   * A new request passes once the proxy has given back the places (bounded poll, no
   * sleep-and-hope).
   */
  private void assertANewRequestPasses(ProxiedTenants.Tenant t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    HttpResponse<String> res = f.get(t, "/v1beta/models");
    while (res.statusCode() == 429 && System.nanoTime() < deadline) {
      Thread.sleep(10);
      res = f.get(t, "/v1beta/models");
    }
    assertThat(res.statusCode()).as("a new request after the others finished").isEqualTo(200);
    while (!f.k.keyroom.metrics().scrape().contains("keyroom_proxy_in_flight 0.0")
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(f.k.keyroom.metrics().scrape())
        .as("every place was given back")
        .contains("keyroom_proxy_in_flight 0.0");
  }

  @Test
  void theRequestPastTheSessionLimitGets429AndPassesOnceTheOthersFinish() throws Exception {
    ProxiedTenants.Tenant a = f.tenant("acme");
    List<CompletableFuture<HttpResponse<String>>> inFlight = List.of(held(a), held(a));
    awaitArrivals(2);

    HttpResponse<String> refused = f.get(a, "/v1beta/models");

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body())
        .contains("\"error\":\"rate_limited\"")
        .contains("proxy-max-concurrent-per-session")
        .contains("2");
    assertThat(f.upstream.seen()).hasSize(2);
    gate.countDown();
    for (var r : inFlight) {
      assertThat(r.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertANewRequestPasses(a);
  }

  @Test
  void theRequestPastTheTenantLimitGets429WhileOtherTenantsPass() throws Exception {
    ProxiedTenants.Tenant a = f.tenant("acme");
    ProxiedTenants.Tenant a2 = f.anotherSession(a);
    ProxiedTenants.Tenant other = f.tenant("globex");
    List<CompletableFuture<HttpResponse<String>>> inFlight =
        new ArrayList<>(List.of(held(a), held(a), held(a2)));
    awaitArrivals(3);

    HttpResponse<String> refused = f.get(a2, "/v1beta/models");
    HttpResponse<String> otherTenant = f.get(other, "/v1beta/models");

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body())
        .contains("\"error\":\"rate_limited\"")
        .contains("proxy-max-concurrent-per-tenant")
        .contains("3");
    assertThat(otherTenant.statusCode()).isEqualTo(200);
    gate.countDown();
    for (var r : inFlight) {
      assertThat(r.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertANewRequestPasses(a2);
  }

  @Test
  void aClientThatGoesAwayMidStreamGivesItsPlaceBack() throws Exception {
    ProxiedTenants.Tenant a = f.tenant("acme");
    int port = f.k.keyroom.http().port();
    for (int i = 0; i < 2; i++) {
      Socket s = new Socket("127.0.0.1", port);
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET /proxy/gemini/v1beta/stream HTTP/1.1\r\nHost: 127.0.0.1:"
                      + port
                      + "\r\nx-goog-api-key: "
                      + a.placeholder()
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
      assertThat(head).isEqualTo("HTTP/1.1 200");
      s.close();
    }

    assertANewRequestPasses(a);
  }

  @Test
  void aKeyThatCannotBeSentIsRefusedAndGivesItsPlaceBack() throws Exception {
    ProxiedTenants.Tenant a = f.tenant("acme");
    // a trailing newline (stored before the vault refused them) cannot go in a header: refused
    // before anything leaves Keyroom
    EveryRouteLogsNoRequestOrCredentialDataTest.storeFirstVersionAsIs(
        f.k,
        dev.keyroom.vault.CredentialScope.tenantSecrets(a.founded().tenant().id()),
        a.secret(),
        "gemini",
        a.key() + "\n");
    for (int i = 0; i < 5; i++) { // more than the session's limit of 2
      HttpResponse<String> res = f.get(a, "/v1beta/models");
      assertThat(res.statusCode()).as("request %d", i).isEqualTo(409);
      assertThat(res.body()).contains("line break").doesNotContain(a.key());
    }
    assertThat(f.upstream.seen()).isEmpty();
    assertThat(f.k.keyroom.metrics().scrape()).contains("keyroom_proxy_in_flight 0.0");
  }

  @Test
  void anUpstreamThatBreaksOffGivesItsPlaceBack() throws Exception {
    ProxiedTenants.Tenant a = f.tenant("acme");
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> f.get(a, "/v1beta/broken"))
          .as("a broken-off upstream answer never looks complete")
          .isInstanceOf(java.io.UncheckedIOException.class);
    }

    assertANewRequestPasses(a);
  }
}
