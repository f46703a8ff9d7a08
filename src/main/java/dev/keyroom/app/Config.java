package dev.keyroom.app;

import dev.keyroom.store.Redaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every setting has a default, a command-line flag and an environment variable {@code
 * KEYROOM_<SETTING>}. Precedence: flag, then environment, then default. Secrets (the database
 * password, the metrics token) may come from a file via {@code KEYROOM_<SETTING>_FILE}, never only
 * argv.
 */
public final class Config {
  /** A documented setting. */
  public enum Setting {
    PORT("port", "8080", "TCP port of the API, proxy and UI"),
    BIND("bind", "127.0.0.1", "address to listen on"),
    DATA_DIR("data-dir", "./data", "directory for the SQLite file and the local master keyset"),
    DATABASE_URL(
        "database-url",
        "",
        "JDBC URL; empty means jdbc:sqlite:<data-dir>/keyroom.db; or jdbc:postgresql://…"),
    DATABASE_USER("database-user", "", "database user (PostgreSQL)"),
    DATABASE_PASSWORD(
        "database-password", "", "database password; prefer KEYROOM_DATABASE_PASSWORD_FILE"),
    MASTER_KEY(
        "master-key",
        "",
        "master key source: a Tink keyset file path; empty means <data-dir>/master-keyset.json"),
    LOG_LEVEL("log-level", "info", "log level: error, warn, info, debug"),
    PUBLIC_URL(
        "public-url", "", "URL workrooms use to reach Keyroom; empty means http://<bind>:<port>"),
    PROXY_PORT(
        "proxy-port",
        "",
        "TCP port of a listener for the provider proxy (/proxy/*) alone, so the proxy and the API"
            + " can sit behind different network rules; empty: the proxy shares the main port"),
    PROXY_PUBLIC_URL(
        "proxy-public-url",
        "",
        "URL workrooms use to reach the proxy (the base URL variables follow it); empty means"
            + " http://<bind>:<proxy-port> with a proxy port, else the public URL"),
    PROXY_CONNECT_TIMEOUT("proxy-connect-timeout", "10s", "proxy: time to connect to an upstream"),
    PROXY_READ_TIMEOUT(
        "proxy-read-timeout", "300s", "proxy: longest silence from an upstream before 504"),
    PROXY_GRANT_TTL(
        "proxy-grant-ttl",
        "5s",
        "proxy: how long an authorised placeholder is remembered; revoke and"
            + " session end drop it at once on this node; 0 checks every request"),
    PROXY_MAX_CONCURRENT_PER_SESSION(
        "proxy-max-concurrent-per-session",
        "64",
        "proxy: requests one session may have in" + " flight at once; the next gets 429"),
    PROXY_MAX_CONCURRENT_PER_TENANT(
        "proxy-max-concurrent-per-tenant",
        "512",
        "proxy: requests one tenant's sessions may" + " have in flight at once; the next gets 429"),
    PROXY_UPSTREAM_CONNECTIONS(
        "proxy-upstream-connections",
        "4096",
        "proxy: connections open to one provider's upstream at most (a stream holds one for its"
            + " whole length); requests beyond wait in a queue"),
    PRICES_FILE(
        "prices-file",
        "",
        "JSON file of prices laid over the shipped price catalogue (docs/spend.md); empty: the"
            + " catalogue alone"),
    USAGE_QUEUE(
        "usage-queue",
        "10000",
        "proxy: usage records waiting to be written, at most (1 to 1000000); a full queue makes"
            + " a request wait up to 250 ms, then its record is dropped and counted"),
    SESSION_EVENT_STREAMS_PER_SESSION(
        "session-event-streams-per-session",
        "4",
        "event streams one session may hold open;" + " the next gets 429"),
    SESSION_EVENT_STREAMS_PER_TENANT(
        "session-event-streams-per-tenant",
        "256",
        "event streams one tenant's sessions may" + " hold open; the next gets 429"),
    SESSION_MAX_LIFETIME(
        "session-max-lifetime", "12h", "sessions end at the latest after this long"),
    SESSION_IDLE_TIMEOUT("session-idle-timeout", "2h", "sessions end after this long without use"),
    OAUTH_REFRESH_AHEAD(
        "oauth-refresh-ahead",
        "5m",
        "OAuth access tokens are refreshed this long before they expire"),
    OAUTH_REFRESH_INTERVAL(
        "oauth-refresh-interval",
        "60s",
        "how often the background refresher looks for expiring OAuth tokens; 0 turns it off"),
    GIT_API_URL(
        "git-api-url",
        "https://api.github.com",
        "base URL the git-token test calls (GET <url>/user)"),
    METRICS_TOKEN(
        "metrics-token",
        "",
        "bearer token /metrics requires; empty leaves /metrics open; a secret:"
            + " KEYROOM_METRICS_TOKEN_FILE or KEYROOM_METRICS_TOKEN, never a flag");

    public final String flag;
    public final String defaultValue;
    public final String description;

    Setting(String flag, String defaultValue, String description) {
      this.flag = flag;
      this.defaultValue = defaultValue;
      this.description = description;
    }

    public String envVar() {
      return "KEYROOM_" + name();
    }
  }

  /**
   * Per-provider OAuth settings, {@code KEYROOM_OAUTH_<PROVIDER>_<FIELD>}; see {@link #oauth()}.
   */
  public static final java.util.List<String> OAUTH_FIELDS =
      java.util.List.of(
          "client-secret-file",
          "client-secret",
          "client-id",
          "client-auth",
          "authorize-url",
          "token-url",
          "revocation-url",
          "userinfo-url",
          "issuer",
          "scopes",
          "account-claim",
          "oidc");

  private final Map<Setting, String> values;
  private final Map<String, String> upstreams;
  private final Map<String, String> oauth;

  private Config(
      Map<Setting, String> values, Map<String, String> upstreams, Map<String, String> oauth) {
    this.values = values;
    this.upstreams = upstreams;
    this.oauth = oauth;
  }

  /** Resolves every setting from flags (by flag name), the environment and defaults. */
  public static Config resolve(Map<String, String> flags, Map<String, String> env) {
    Map<Setting, String> values = new LinkedHashMap<>();
    for (Setting s : Setting.values()) {
      String v = flags.get(s.flag);
      if (v == null) {
        v = env.get(s.envVar());
      }
      if (v == null && env.get(s.envVar() + "_FILE") != null) {
        v = readFile(s, env.get(s.envVar() + "_FILE"));
      }
      values.put(s, v == null ? s.defaultValue : v);
    }
    Map<String, String> upstreams = new TreeMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith("KEYROOM_UPSTREAM_") && !v.isBlank()) {
            upstreams.put(
                k.substring("KEYROOM_UPSTREAM_".length())
                    .toLowerCase(Locale.ROOT)
                    .replace('_', '-'),
                v.trim());
          }
        });
    flags.forEach(
        (k, v) -> {
          if (k.startsWith("upstream-")) {
            upstreams.put(k.substring("upstream-".length()), v.trim());
          }
        });
    return new Config(values, upstreams, oauthSettings(flags, env));
  }

  /**
   * OAuth provider settings from {@code KEYROOM_OAUTH_<PROVIDER>_<FIELD>} (and flags {@code
   * --oauth-<provider>-<field>}), keyed {@code provider.field}. A client secret comes from the
   * environment or a file ({@code …_CLIENT_SECRET_FILE}) — never from a flag, which shows in {@code
   * ps}.
   */
  private static Map<String, String> oauthSettings(
      Map<String, String> flags, Map<String, String> env) {
    Map<String, String> out = new TreeMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith("KEYROOM_OAUTH_") && !v.isBlank()) {
            String rest =
                k.substring("KEYROOM_OAUTH_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
            oauthKey(rest).ifPresent(key -> out.put(key, v.trim()));
          }
        });
    java.util.Set<String> named =
        java.util.Arrays.stream(Setting.values())
            .map(s -> s.flag)
            .collect(java.util.stream.Collectors.toSet());
    flags.forEach(
        (k, v) -> {
          if (k.startsWith("oauth-") && !named.contains(k)) {
            String key =
                oauthKey(k.substring("oauth-".length()))
                    .orElseThrow(
                        () ->
                            new ConfigException(
                                "--"
                                    + k
                                    + " is not an OAuth setting; use --oauth-<provider>-<field> with field one of "
                                    + OAUTH_FIELDS));
            if (key.endsWith(".client-secret") || key.endsWith(".client-secret-file")) {
              throw new ConfigException(
                  "OAuth client secrets are never taken from the command line (--"
                      + k
                      + "); set KEYROOM_OAUTH_<PROVIDER>_CLIENT_SECRET_FILE to a file holding it");
            }
            out.put(key, v.trim());
          }
        });
    for (String key : java.util.List.copyOf(out.keySet())) {
      if (key.endsWith(".client-secret-file")) {
        String provider = key.substring(0, key.indexOf('.'));
        try {
          out.put(
              provider + ".client-secret",
              Files.readString(Path.of(out.remove(key)), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
          throw new ConfigException(
              "cannot read KEYROOM_OAUTH_"
                  + provider.toUpperCase(Locale.ROOT).replace('-', '_')
                  + "_CLIENT_SECRET_FILE: "
                  + e.getClass().getSimpleName());
        }
      }
    }
    return out;
  }

  private static java.util.Optional<String> oauthKey(String providerAndField) {
    for (String field : OAUTH_FIELDS) {
      if (providerAndField.endsWith("-" + field)
          && providerAndField.length() > field.length() + 1) {
        return java.util.Optional.of(
            providerAndField.substring(0, providerAndField.length() - field.length() - 1)
                + "."
                + field);
      }
    }
    return java.util.Optional.empty();
  }

  public static Config defaults() {
    return resolve(Map.of(), Map.of());
  }

  /** A copy with some settings replaced (tests, embedded use). */
  public Config with(Setting s, String value) {
    Map<Setting, String> copy = new LinkedHashMap<>(values);
    copy.put(s, value);
    return new Config(copy, upstreams, oauth);
  }

  public Config withUpstream(String provider, String baseUrl) {
    Map<String, String> copy = new TreeMap<>(upstreams);
    copy.put(provider, baseUrl);
    return new Config(values, copy, oauth);
  }

  /**
   * A copy with one OAuth provider setting replaced (tests, embedded use); field as in {@link
   * #OAUTH_FIELDS}.
   */
  public Config withOAuth(String provider, String field, String value) {
    if (!OAUTH_FIELDS.contains(field) || field.equals("client-secret-file")) {
      throw new ConfigException("unknown OAuth setting '" + field + "'");
    }
    Map<String, String> copy = new TreeMap<>(oauth);
    copy.put(provider + "." + field, value);
    return new Config(values, upstreams, copy);
  }

  /**
   * OAuth provider settings keyed {@code provider.field} (client secrets already read from their
   * files).
   */
  public Map<String, String> oauth() {
    return oauth;
  }

  public String get(Setting s) {
    return values.get(s);
  }

  public int port() {
    try {
      int p = Integer.parseInt(get(Setting.PORT));
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new ConfigException("port must be a number from 0 to 65535 (KEYROOM_PORT / --port)");
    }
  }

  /** The proxy's own listener port, or empty when the proxy shares the main port. */
  public java.util.OptionalInt proxyPort() {
    String v = get(Setting.PROXY_PORT).trim();
    if (v.isEmpty()) {
      return java.util.OptionalInt.empty();
    }
    try {
      int p = Integer.parseInt(v);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      if (p != 0 && p == port()) {
        throw new ConfigException(
            "proxy-port must differ from port (KEYROOM_PROXY_PORT / --proxy-port); leave it empty"
                + " for one shared port");
      }
      return java.util.OptionalInt.of(p);
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "proxy-port must be a number from 0 to 65535, or empty to share the main port"
              + " (KEYROOM_PROXY_PORT / --proxy-port)");
    }
  }

  /**
   * Where workrooms reach the proxy: the setting, else the proxy's own listener ({@code
   * actualProxyPort}, 0 when it shares the main port), else the public URL.
   */
  public String proxyPublicUrl(int actualPort, int actualProxyPort) {
    String v = get(Setting.PROXY_PUBLIC_URL);
    if (!v.isBlank()) {
      return v.replaceAll("/+$", "");
    }
    return actualProxyPort > 0 ? "http://" + bind() + ":" + actualProxyPort : publicUrl(actualPort);
  }

  public String bind() {
    return get(Setting.BIND);
  }

  public Path dataDir() {
    return Path.of(get(Setting.DATA_DIR));
  }

  public String databaseUrl() {
    String url = get(Setting.DATABASE_URL);
    return url.isBlank() ? "jdbc:sqlite:" + dataDir().resolve("keyroom.db") : url;
  }

  public String databaseUser() {
    return blankToNull(get(Setting.DATABASE_USER));
  }

  public String databasePassword() {
    return blankToNull(get(Setting.DATABASE_PASSWORD));
  }

  /** The operator's prices file, or null for the shipped catalogue alone. */
  public Path pricesFile() {
    String v = get(Setting.PRICES_FILE);
    return v.isBlank() ? null : Path.of(v);
  }

  public Path masterKeyFile() {
    String v = get(Setting.MASTER_KEY);
    if (v.isBlank()) {
      return dataDir().resolve("master-keyset.json");
    }
    return Path.of(v.startsWith("file:") ? v.substring(5) : v);
  }

  public String logLevel() {
    return get(Setting.LOG_LEVEL);
  }

  public String publicUrl(int actualPort) {
    String v = get(Setting.PUBLIC_URL);
    return v.isBlank() ? "http://" + bind() + ":" + actualPort : v.replaceAll("/+$", "");
  }

  public Duration duration(Setting s) {
    String v = get(s).trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms"))
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      if (v.endsWith("s"))
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      if (v.endsWith("m"))
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      if (v.endsWith("h")) return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
      return Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          s.flag + " must be a duration such as 500ms, 30s, 5m or 2h (" + s.envVar() + ")");
    }
  }

  /** A whole number of at least 1 (limits). */
  public int positiveInt(Setting s) {
    try {
      int v = Integer.parseInt(get(s).trim());
      if (v < 1) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigException(
          s.flag + " must be a whole number of at least 1 (" + s.envVar() + ")");
    }
  }

  /** A whole number from 1 to {@code max} (sizes of what is held in memory). */
  public int positiveInt(Setting s, int max) {
    try {
      int v = Integer.parseInt(get(s).trim());
      if (v < 1 || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigException(
          s.flag + " must be a whole number from 1 to " + max + " (" + s.envVar() + ")");
    }
  }

  /** Configured upstream base URL overrides, by provider id. */
  public Map<String, String> upstreams() {
    return upstreams;
  }

  /** All settings with secrets masked, for the start-up log. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (Setting s : Setting.values()) {
      String v = values.get(s);
      if (s == Setting.DATABASE_PASSWORD || s == Setting.METRICS_TOKEN) {
        v = v.isEmpty() ? "" : "***";
      } else if (s == Setting.DATABASE_URL) {
        v = Redaction.jdbcUrl(v);
      }
      sb.append(s.flag).append('=').append(v).append(' ');
    }
    upstreams.forEach(
        (k, v) ->
            sb.append("upstream-").append(k).append('=').append(Redaction.jdbcUrl(v)).append(' '));
    oauth.forEach(
        (k, v) ->
            sb.append("oauth-")
                .append(k.replace('.', '-'))
                .append('=')
                .append(k.endsWith(".client-secret") ? "***" : Redaction.jdbcUrl(v))
                .append(' '));
    return sb.toString().trim();
  }

  private static String readFile(Setting s, String file) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read " + s.envVar() + "_FILE (" + file + "): " + e.getClass().getSimpleName());
    }
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v;
  }

  /** A setting has a value Keyroom cannot use. */
  public static final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }
}
