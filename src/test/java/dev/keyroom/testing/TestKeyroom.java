package dev.keyroom.testing;

import dev.keyroom.app.Config;
import dev.keyroom.app.Keyroom;
import dev.keyroom.session.WorkroomId;
import dev.keyroom.session.WorkroomMembers;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A real Keyroom for tests: real store (SQLite file or embedded PostgreSQL), real Tink keys in a
 * temp dir, HTTP on a free port, and a small HTTP client.
 */
public final class TestKeyroom implements AutoCloseable {
  public final Keyroom keyroom;
  public final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestKeyroom(Keyroom keyroom) {
    this.keyroom = keyroom;
  }

  public static Config config(Path dir, String databaseUrl) {
    return Config.defaults()
        .with(Config.Setting.DATA_DIR, dir.toString())
        .with(Config.Setting.DATABASE_URL, databaseUrl)
        .with(Config.Setting.PORT, "0");
  }

  /** Started on SQLite in {@code dir}. */
  public static TestKeyroom sqlite(Path dir) {
    return start(config(dir, TestDatabases.sqliteUrl(dir)), UnaryOperator.identity());
  }

  /** Started on a fresh embedded-PostgreSQL database, master key in {@code dir}. */
  public static TestKeyroom postgres(Path dir) {
    return start(
        config(dir, TestDatabases.freshPostgresUrl())
            .with(Config.Setting.DATABASE_USER, "postgres"),
        UnaryOperator.identity());
  }

  /** Started on SQLite in {@code dir} with the given clock. */
  public static TestKeyroom sqlite(Path dir, java.time.Clock clock) {
    return start(config(dir, TestDatabases.sqliteUrl(dir)), clock);
  }

  /** Started on a fresh embedded-PostgreSQL database with the given clock. */
  public static TestKeyroom postgres(Path dir, java.time.Clock clock) {
    return start(
        config(dir, TestDatabases.freshPostgresUrl())
            .with(Config.Setting.DATABASE_USER, "postgres"),
        clock);
  }

  /** Started with {@code config} and a clock of the test's own (a {@link TestClock}). */
  public static TestKeyroom start(Config config, java.time.Clock clock) {
    Keyroom k = Keyroom.open(config, clock);
    k.startHttp();
    return new TestKeyroom(k);
  }

  public static TestKeyroom start(Config base, UnaryOperator<Config> adjust) {
    Keyroom k = Keyroom.open(adjust.apply(base));
    k.startHttp();
    return new TestKeyroom(k);
  }

  public String url() {
    return "http://127.0.0.1:" + keyroom.http().port();
  }

  /** A new tenant with its admin; returns the founding record (admin token inside). */
  public Tenancy.Founded tenant(String name) {
    return keyroom.tenancy().createTenant(name, "admin", "test");
  }

  /** Makes {@code user} a member of the workroom: only members start sessions in it. Idempotent. */
  public void addMember(TenantId tenant, WorkroomId workroom, UserId user) {
    keyroom.workrooms().members().add(tenant, workroom, WorkroomMembers.UserRef.of(user), "test");
  }

  public HttpResponse<String> send(String method, String path, String token, String jsonBody) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      if (jsonBody != null) {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<String> get(String path, String token) {
    return send("GET", path, token, null);
  }

  public HttpResponse<String> post(String path, String token, String json) {
    return send("POST", path, token, json);
  }

  /**
   * Waits (at most 10 s) until the usage recorder, which writes off the request path, has written
   * at least {@code n} usage rows of {@code tenant} (of every tenant when it is null): a proxied
   * call's answer reaches its client before its row is written.
   */
  public void awaitUsageRows(dev.keyroom.tenancy.TenantId tenant, int n) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (true) {
      long rows =
          keyroom
              .db()
              .jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT COUNT(*) FROM usage_records"
                                  + (tenant == null ? "" : " WHERE tenant_id = :t"))
                          .bindMap(
                              tenant == null
                                  ? java.util.Map.of()
                                  : java.util.Map.of("t", tenant.value()))
                          .mapTo(Long.class)
                          .one());
      if (rows >= n) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("usage rows did not reach " + n + " within 10 s (" + rows + ")");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for usage rows", e);
      }
    }
  }

  @Override
  public void close() {
    keyroom.close();
  }
}
