package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An end ends the streams in flight: when a session is ended, or the credential serving its
 * provider is revoked, replaced or deleted, every open proxy exchange of it is aborted — the
 * client's stream ends within a second of the API call returning, no event the upstream sends
 * afterwards reaches it, and the upstream connection is closed. Other sessions' streams go on.
 */
class EndingASessionAbortsItsStreamsTest {
  private static final long BOUND_MS = 1000;

  @TempDir Path dir;
  ProxiedTenants f;

  /** Upstream send time of each event, by event number (per stream, numbers are global). */
  final Map<Long, Long> sentAt = new ConcurrentHashMap<>();

  final AtomicLong numbers = new AtomicLong();

  /** One permit per upstream stream whose connection was closed under it. */
  final java.util.concurrent.Semaphore upstreamCut = new java.util.concurrent.Semaphore(0);

  @BeforeEach
  void start() {
    f = new ProxiedTenants(dir);
    f.upstream.on(
        "/v1beta",
        (ex, seen) -> {
          ex.getResponseHeaders().set("Content-Type", "text/event-stream");
          ex.sendResponseHeaders(200, 0);
          OutputStream out = ex.getResponseBody();
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
          try {
            while (System.nanoTime() < deadline) {
              long n = numbers.incrementAndGet();
              sentAt.put(n, System.nanoTime());
              out.write(("data: {\"n\":" + n + "}\n\n").getBytes(StandardCharsets.UTF_8));
              out.flush();
              Thread.sleep(100);
            }
          } catch (IOException e) {
            upstreamCut.release();
          }
        });
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** A client reading one stream on its own thread. */
  final class Reader {
    final List<long[]> received = new CopyOnWriteArrayList<>(); // {event number, received at}
    final CountDownLatch first = new CountDownLatch(1);
    final CountDownLatch ended = new CountDownLatch(1);
    volatile long endedAt;

    Reader(ProxiedTenants.Tenant t) {
      HttpResponse<InputStream> res = f.stream(t, "/v1beta/models:streamGenerateContent");
      assertThat(res.statusCode()).isEqualTo(200);
      Thread.ofVirtual()
          .start(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                      received.add(
                          new long[] {
                            Long.parseLong(line.replaceAll("\\D", "")), System.nanoTime()
                          });
                      first.countDown();
                    }
                  }
                } catch (IOException e) {
                  // a broken stream is an ended stream
                } finally {
                  endedAt = System.nanoTime();
                  ended.countDown();
                }
              });
    }

    void awaitFirstEvent() throws InterruptedException {
      assertThat(first.await(10, TimeUnit.SECONDS)).as("first event").isTrue();
    }
  }

  private void assertEndedWithinTheBound(Reader reader, long callReturnedAt)
      throws InterruptedException {
    assertThat(reader.ended.await(5, TimeUnit.SECONDS)).as("the client's stream ended").isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(reader.endedAt - callReturnedAt))
        .as("ms from the call returning to the stream's end")
        .isLessThan(BOUND_MS);
    for (long[] event : reader.received) {
      if (event[1] > callReturnedAt) {
        assertThat(sentAt.get(event[0]))
            .as("event %d arrived after the call returned; it was sent before", event[0])
            .isLessThan(callReturnedAt);
      }
    }
    assertThat(upstreamCut.tryAcquire(5, TimeUnit.SECONDS))
        .as("the upstream connection was closed")
        .isTrue();
  }

  @Test
  void deletingTheSessionEndsItsStreamWithinASecond() throws Exception {
    ProxiedTenants.Tenant a = f.tenant("acme");
    Reader reader = new Reader(a);
    reader.awaitFirstEvent();

    HttpResponse<String> end =
        f.k.send(
            "DELETE",
            "/api/v1/sessions/" + a.session().session().id().value(),
            a.adminToken(),
            null);
    long returned = System.nanoTime();

    assertThat(end.statusCode()).isEqualTo(204);
    assertEndedWithinTheBound(reader, returned);
    assertThat(f.k.keyroom.metrics().value("keyroom_proxy_aborted_total")).isEqualTo(1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (!f.k.keyroom.metrics().scrape().contains("keyroom_proxy_in_flight 0.0")
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(f.k.keyroom.metrics().scrape())
        .as("the aborted exchange gave its place back")
        .contains("keyroom_proxy_in_flight 0.0");
  }

  @Test
  void revokingReplacingOrDeletingTheCredentialEndsItsStreamsWithinASecond() throws Exception {
    Map<String, Function<ProxiedTenants.Tenant, HttpResponse<String>>> changes =
        new java.util.LinkedHashMap<>();
    changes.put(
        "revoke",
        t -> f.k.post("/api/v1/secrets/" + t.secret().value() + "/revoke", t.adminToken(), "{}"));
    changes.put(
        "replace",
        t ->
            f.k.send(
                "PUT",
                "/api/v1/secrets/" + t.secret().value() + "/value",
                t.adminToken(),
                "{\"value\":\"another-real-key-0123456789\"}"));
    changes.put(
        "delete",
        t -> f.k.send("DELETE", "/api/v1/secrets/" + t.secret().value(), t.adminToken(), null));
    for (var change : changes.entrySet()) {
      ProxiedTenants.Tenant t = f.tenant("tenant-" + change.getKey());
      Reader reader = new Reader(t);
      reader.awaitFirstEvent();

      HttpResponse<String> res = change.getValue().apply(t);
      long returned = System.nanoTime();

      assertThat(res.statusCode()).as(change.getKey()).isBetween(200, 204);
      assertEndedWithinTheBound(reader, returned);
    }
  }

  @Test
  void anotherSessionsStreamGoesOn() throws Exception {
    ProxiedTenants.Tenant a = f.tenant("acme");
    ProxiedTenants.Tenant sameTenant = f.anotherSession(a);
    ProxiedTenants.Tenant otherTenant = f.tenant("globex");
    Reader ending = new Reader(a);
    Reader staying = new Reader(sameTenant);
    Reader other = new Reader(otherTenant);
    ending.awaitFirstEvent();
    staying.awaitFirstEvent();
    other.awaitFirstEvent();

    f.k.send(
        "DELETE", "/api/v1/sessions/" + a.session().session().id().value(), a.adminToken(), null);
    assertThat(ending.ended.await(5, TimeUnit.SECONDS)).isTrue();
    int before = staying.received.size() + other.received.size();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (staying.received.size() + other.received.size() < before + 4
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(staying.ended.getCount())
        .as("the same tenant's other session is still streaming")
        .isEqualTo(1);
    assertThat(other.ended.getCount()).as("another tenant is still streaming").isEqualTo(1);
    assertThat(staying.received.size() + other.received.size()).isGreaterThanOrEqualTo(before + 4);
    // end the streams left, so that stopping Keyroom has no request in flight to wait for
    for (ProxiedTenants.Tenant t : List.of(sameTenant, otherTenant)) {
      f.k.send(
          "DELETE", "/api/v1/sessions/" + t.session().session().id().value(), t.adminToken(), null);
    }
    assertThat(staying.ended.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(other.ended.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aRequestWaitingForItsAnswerIsRefusedWhenTheSessionEnds() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    f.upstream.on(
        "/v1beta/slow",
        (ex, seen) -> {
          arrived.countDown();
          release.await(20, TimeUnit.SECONDS);
          dev.keyroom.proxy.FakeUpstream.json(ex, 200, "{\"late\":true}");
        });
    ProxiedTenants.Tenant a = f.tenant("acme");
    var waiting =
        f.http.sendAsync(
            f.request(a, "/v1beta/slow").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();

    f.k.send(
        "DELETE", "/api/v1/sessions/" + a.session().session().id().value(), a.adminToken(), null);
    long returned = System.nanoTime();

    HttpResponse<String> res = waiting.get(5, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - returned)).isLessThan(BOUND_MS);
    release.countDown();
    assertThat(res.statusCode()).isEqualTo(403);
    assertThat(res.body())
        .contains("\"error\":\"forbidden\"")
        .contains("ended while in flight")
        .doesNotContain("late");
  }
}
