package dev.keyroom.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real databases for tests: a fresh SQLite file per call, or a fresh database on one embedded
 * PostgreSQL server shared by the whole test JVM.
 */
public final class TestDatabases {
  private static EmbeddedPostgres postgres;
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private TestDatabases() {}

  public static String sqliteUrl(Path dir) {
    return "jdbc:sqlite:" + dir.resolve("keyroom.db");
  }

  /** A new, empty PostgreSQL database; returns its JDBC URL (user postgres, no password). */
  public static synchronized String freshPostgresUrl() {
    try {
      if (postgres == null) {
        postgres = EmbeddedPostgres.builder().start();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      try {
                        postgres.close();
                      } catch (IOException e) {
                        // the JVM is exiting; nothing useful to do with a failed shutdown
                        System.err.println("embedded postgres shutdown: " + e);
                      }
                    }));
      }
      String name =
          "keyroom_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
      try (Connection c = postgres.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + name);
      }
      return postgres.getJdbcUrl("postgres", name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The running embedded server (for pg_dump and the like); starts it if needed. */
  public static synchronized EmbeddedPostgres postgres() {
    if (postgres == null) {
      freshPostgresUrl();
    }
    return postgres;
  }
}
