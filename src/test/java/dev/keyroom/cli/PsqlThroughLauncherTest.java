package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keyroom.testing.TestKeyroom;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code psql} inside {@code keyroom run} connects to a PostgreSQL server that requires a password
 * (SCRAM), using only what the session injected: PG-style variables and ORDERS_DB_URL.
 */
class PsqlThroughLauncherTest {
  static final String PASSWORD = "canary pw:p@ss/w0rd%x";

  @TempDir Path dir;

  @Test
  void psqlConnectsWithTheInjectedPassword() throws Exception {
    Path psql = Path.of("/usr/bin/psql");
    assumeTrue(Files.isExecutable(psql), "psql is not installed (apt package postgresql-client)");
    try (EmbeddedPostgres pg =
            EmbeddedPostgres.builder()
                .setDataDirectoryCustomizer(d -> requirePasswords(d.toPath()))
                .start();
        TestKeyroom k = TestKeyroom.sqlite(dir)) {
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE ROLE app LOGIN PASSWORD '" + PASSWORD.replace("'", "''") + "'");
        s.execute("CREATE DATABASE orders OWNER app");
      }
      LauncherFixture f = new LauncherFixture(k);
      String pw = f.secret("database-password", "orders", PASSWORD);
      String workroom =
          f.workroom(
              "{\"name\":\"Data\",\"tools\":[],\"network\":{\"endpoints\":[{\"name\":\"orders\","
                  + "\"host\":\"127.0.0.1\",\"port\":"
                  + pg.getPort()
                  + ",\"protocol\":\"postgres\",\"passwordSecretId\":\""
                  + pw
                  + "\",\"user\":\"app\",\"database\":\"orders\"}]}}");
      LauncherFixture.Running r =
          f.launch(
              f.session(workroom),
              List.of(
                  "sh",
                  "-c",
                  "psql -w -tAc \"select 'pg-vars:' || current_user || '@' || current_database()\""
                      + " && psql -w \"$ORDERS_DB_URL\" -tAc \"select 'url:' || current_user\""),
              false,
              Duration.ofSeconds(2),
              Map.of("PGCONNECT_TIMEOUT", "10"));
      assertThat(r.exit().get(60, TimeUnit.SECONDS)).as(r.stderr()).isZero();
      assertThat(r.stdout()).contains("pg-vars:app@orders").contains("url:app");

      // the server really checks the password: a wrong one is refused
      ProcessBuilder wrong =
          new ProcessBuilder(
                  psql.toString(),
                  "-w",
                  "-h",
                  "127.0.0.1",
                  "-p",
                  Integer.toString(pg.getPort()),
                  "-U",
                  "app",
                  "-d",
                  "orders",
                  "-tAc",
                  "select 1")
              .redirectErrorStream(true);
      wrong.environment().put("PGPASSWORD", "not-the-password");
      Process p = wrong.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).isNotZero();
      assertThat(out).contains("password authentication failed");
    }
  }

  private static void requirePasswords(Path dataDir) {
    try {
      Files.writeString(
          dataDir.resolve("pg_hba.conf"),
          String.join(
              "\n",
              "local all all trust",
              "host all postgres 127.0.0.1/32 trust",
              "host all postgres ::1/128 trust",
              "host all all 127.0.0.1/32 scram-sha-256",
              "host all all ::1/128 scram-sha-256",
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
