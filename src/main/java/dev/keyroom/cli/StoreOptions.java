package dev.keyroom.cli;

import ch.qos.logback.classic.Level;
import dev.keyroom.app.Config;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Settings shared by every command that opens the store. Each also reads KEYROOM_<SETTING>. */
final class StoreOptions {
  @Option(names = "--data-dir", description = "data directory (KEYROOM_DATA_DIR, default ./data)")
  String dataDir;

  @Option(names = "--database-url", description = "JDBC URL (KEYROOM_DATABASE_URL)")
  String databaseUrl;

  @Option(names = "--database-user", description = "database user (KEYROOM_DATABASE_USER)")
  String databaseUser;

  @Option(names = "--master-key", description = "master keyset file (KEYROOM_MASTER_KEY)")
  String masterKey;

  @Option(names = "--log-level", description = "error, warn, info, debug (KEYROOM_LOG_LEVEL)")
  String logLevel;

  Map<String, String> flags() {
    Map<String, String> f = new HashMap<>();
    put(f, "data-dir", dataDir);
    put(f, "database-url", databaseUrl);
    put(f, "database-user", databaseUser);
    put(f, "master-key", masterKey);
    put(f, "log-level", logLevel);
    return f;
  }

  Config config(Map<String, String> extra, String defaultLogLevel) {
    Map<String, String> f = flags();
    f.putAll(extra);
    Map<String, String> env = new HashMap<>(System.getenv());
    if (!f.containsKey("log-level") && !env.containsKey("KEYROOM_LOG_LEVEL")) {
      f.put("log-level", defaultLogLevel);
    }
    Config config = Config.resolve(f, env);
    applyLogLevel(config.logLevel());
    return config;
  }

  /**
   * The SQLite file a configuration points at, or {@code null} when the store is not a local file
   * (PostgreSQL, or an in-memory or {@code file:} URI SQLite URL).
   */
  static Path sqliteFile(Config config) {
    String url = config.databaseUrl();
    if (!url.startsWith("jdbc:sqlite:")) {
      return null;
    }
    String rest = url.substring("jdbc:sqlite:".length());
    int query = rest.indexOf('?');
    String file = query >= 0 ? rest.substring(0, query) : rest;
    if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
      return null;
    }
    return Path.of(file).toAbsolutePath().normalize();
  }

  static void applyLogLevel(String level) {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }
}
