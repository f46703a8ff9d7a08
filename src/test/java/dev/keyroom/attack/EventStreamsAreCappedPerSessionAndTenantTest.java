package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.app.Config;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One session token opened 1,500 event streams, each holding a thread and polling the store. Open
 * streams are capped per session and per tenant: the next gets 429 naming the cap, a closed one
 * gives its place back, and another tenant is not affected.
 */
class EventStreamsAreCappedPerSessionAndTenantTest {
  @TempDir Path dir;

  @Test
  void theStreamPastACapIs429_andAClosedStreamGivesItsPlaceBack() throws Exception {
    Config config =
        TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
            .with(Config.Setting.SESSION_EVENT_STREAMS_PER_SESSION, "2")
            .with(Config.Setting.SESSION_EVENT_STREAMS_PER_TENANT, "3");
    List<HttpResponse<InputStream>> open = new ArrayList<>();
    try (TestKeyroom k = TestKeyroom.start(config, c -> c)) {
      Tenant acme = new Tenant(k, "acme");
      Tenant.Person ann = acme.member("ann");
      String wr = acme.workroom("{\"name\":\"W\",\"tools\":[]}", ann);
      Tenant.Session a = acme.startAsSelf(wr, ann);
      Tenant.Session b = acme.startAsSelf(wr, ann);

      open.add(ready(k, a));
      open.add(ready(k, a));
      Answer third = events(k, a);
      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(third.body())
          .contains("2 event streams")
          .contains("KEYROOM_SESSION_EVENT_STREAMS_PER_SESSION");

      open.add(ready(k, b));
      Answer overTenant = events(k, b);
      assertThat(overTenant.statusCode()).isEqualTo(429);
      assertThat(overTenant.body()).contains("KEYROOM_SESSION_EVENT_STREAMS_PER_TENANT");

      // Another tenant has its own places.
      Tenant globex = new Tenant(k, "globex");
      Tenant.Person gus = globex.member("gus");
      Tenant.Session g =
          globex.startAsSelf(globex.workroom("{\"name\":\"G\",\"tools\":[]}", gus), gus);
      open.add(ready(k, g));

      // Ending a session ends its streams, and their places come back.
      assertThat(k.send("DELETE", "/api/v1/sessions/" + a.id(), a.token(), null).statusCode())
          .isEqualTo(204);
      long deadline = System.currentTimeMillis() + 10_000;
      int status;
      do {
        HttpResponse<InputStream> again =
            k.http.send(request(k, b), HttpResponse.BodyHandlers.ofInputStream());
        status = again.statusCode();
        if (status == 200) {
          open.add(again);
          break;
        }
        again.body().close();
        Thread.sleep(100);
      } while (System.currentTimeMillis() < deadline);
      assertThat(status).as("a place came back after the session's streams ended").isEqualTo(200);
    } finally {
      for (HttpResponse<InputStream> r : open) {
        r.body().close();
      }
    }
  }

  private static HttpRequest request(TestKeyroom k, Tenant.Session s) {
    return HttpRequest.newBuilder(URI.create(k.url() + "/api/v1/sessions/" + s.id() + "/events"))
        .header("Authorization", "Bearer " + s.token())
        .header("Accept", "text/event-stream")
        .build();
  }

  private static HttpResponse<InputStream> ready(TestKeyroom k, Tenant.Session s) throws Exception {
    HttpResponse<InputStream> res =
        k.http.send(request(k, s), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(res.statusCode()).isEqualTo(200);
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8));
    assertThat(lines.readLine()).isEqualTo("event: ready");
    return res;
  }

  /**
   * The answer to opening one more stream: its status and, when refused, its body (an open stream
   * is closed).
   */
  private record Answer(int statusCode, String body) {}

  private static Answer events(TestKeyroom k, Tenant.Session s) throws Exception {
    HttpResponse<InputStream> res =
        k.http.send(request(k, s), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = res.body()) {
      return new Answer(
          res.statusCode(),
          res.statusCode() == 200 ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
