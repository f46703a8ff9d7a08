package dev.keyroom.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store: one connection pool, Flyway migrations and a Jdbi whose exceptions never render bound
 * values. SQLite (a file) for one node, PostgreSQL for many.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** The SQL dialects Keyroom runs on. */
  public enum Dialect {
    SQLITE,
    POSTGRESQL
  }

  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final Dialect dialect;

  private Database(HikariDataSource dataSource, Dialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.jdbi = Jdbi.create(dataSource);
    // Jdbi's default message includes bound arguments, which may be ciphertexts or token hashes.
    jdbi.getConfig(StatementExceptions.class)
        .setMessageRendering(StatementExceptions.MessageRendering.NONE);
  }

  /** Opens the pool and applies migrations. {@code password} may be null. */
  public static Database open(String jdbcUrl, String user, String password) {
    Dialect dialect = dialectOf(jdbcUrl);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName("keyroom");
    if (user != null && !user.isBlank()) {
      config.setUsername(user);
    }
    if (password != null) {
      config.setPassword(password);
    }
    if (dialect == Dialect.SQLITE) {
      prepareSqliteFile(jdbcUrl);
      config.addDataSourceProperty("journal_mode", "WAL");
      config.addDataSourceProperty("busy_timeout", "15000");
      config.addDataSourceProperty("foreign_keys", "true");
      config.addDataSourceProperty("synchronous", "NORMAL");
      // Writers take the lock up front and wait for it, instead of failing on upgrade.
      config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
      config.setMaximumPoolSize(8);
    } else {
      // PgJDBC copies the server's DETAIL ("Failing row contains (…)") into exception messages;
      // those rows hold ciphertexts and hashes, which have no business in a log either.
      config.addDataSourceProperty("logServerErrorDetail", "false");
      config.setMaximumPoolSize(16);
    }
    HikariDataSource ds = new HikariDataSource(config);
    try {
      Flyway.configure()
          .dataSource(ds)
          .locations(migrations(dialect))
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new StoreException("could not migrate the store at " + Redaction.jdbcUrl(jdbcUrl), e);
    }
    LOG.info("store ready: {} ({})", Redaction.jdbcUrl(jdbcUrl), dialect);
    return new Database(ds, dialect);
  }

  /**
   * Where the migrations of a dialect are: {@code db/migration} holds those that run on both;
   * {@code db/sqlite} and {@code db/postgresql} a version whose SQL must differ (V10 rebuilds a
   * table on SQLite and alters a constraint on PostgreSQL).
   */
  public static String[] migrations(Dialect dialect) {
    return new String[] {
      "classpath:db/migration",
      dialect == Dialect.SQLITE ? "classpath:db/sqlite" : "classpath:db/postgresql"
    };
  }

  static Dialect dialectOf(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return Dialect.SQLITE;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return Dialect.POSTGRESQL;
    }
    throw new StoreException(
        "database URL must start with jdbc:sqlite: or jdbc:postgresql: (got "
            + Redaction.jdbcUrl(jdbcUrl)
            + ")");
  }

  private static void prepareSqliteFile(String jdbcUrl) {
    String rest = jdbcUrl.substring("jdbc:sqlite:".length());
    int query = rest.indexOf('?');
    String file = query >= 0 ? rest.substring(0, query) : rest;
    if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
      return;
    }
    Path path = Path.of(file).toAbsolutePath();
    try {
      if (!Files.exists(path.getParent())) {
        Files.createDirectories(
            path.getParent(),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (!Files.exists(path)) {
        Files.createFile(
            path,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.setPosixFilePermissions(
            path, Set.copyOf(PosixFilePermissions.fromString("rw-------")));
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new StoreException("cannot prepare the SQLite file " + path + ": " + e.getMessage(), e);
    }
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public Dialect dialect() {
    return dialect;
  }

  /** {@code " FOR UPDATE"} where the dialect has row locks; SQLite locks the whole file instead. */
  public String forUpdate() {
    return dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
  }

  /**
   * {@code " FOR NO KEY UPDATE"} on PostgreSQL: locks a row whose non-key columns the transaction
   * will change. Unlike FOR UPDATE it does not conflict with the KEY SHARE lock that inserting a
   * child row (foreign key) takes, so two transactions that each insert a child and then lock the
   * parent queue up instead of deadlocking. SQLite locks the whole file instead.
   */
  public String forNoKeyUpdate() {
    return dialect == Dialect.POSTGRESQL ? " FOR NO KEY UPDATE" : "";
  }

  /** True when the store answers a trivial query. */
  public boolean isReady() {
    try {
      return jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
    } catch (RuntimeException e) {
      LOG.warn("store readiness check failed: {}", e.getClass().getSimpleName());
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
