package dev.keyroom.session;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.catalog.Home;
import dev.keyroom.error.ConflictException;
import dev.keyroom.vault.CredentialId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which environment variable each part of a workroom's configuration produces. Used twice: when a
 * workroom is configured (two parts naming the same variable is a 409 then) and when a session's
 * environment is built.
 */
final class EnvironmentLayout {
  static final String KEYROOM_URL = "KEYROOM_URL";
  static final String KEYROOM_SESSION_ID = "KEYROOM_SESSION_ID";
  static final String KEYROOM_SESSION_TOKEN = "KEYROOM_SESSION_TOKEN";
  static final String GIT_TOKEN_KIND = "git-token";
  static final String ENV_KIND = "env";
  static final String PERSONAL_ENV_KIND = "personal-env";
  static final String TAILSCALE_KIND = "tailscale-auth-key";
  static final String DATABASE_PASSWORD_KIND = "database-password";
  static final Set<String> DATABASE_PROTOCOLS = Set.of("postgres", "mysql");
  static final Set<String> PROTOCOLS = Set.of("postgres", "mysql", "http", "https", "ssh", "tcp");

  /**
   * Git configuration that makes git over https ask {@code keyroom git-credential} and store
   * nothing.
   */
  static final Map<String, String> GIT_CONFIG = gitConfig();

  private EnvironmentLayout() {}

  /**
   * Names every part of the workroom sets, each with the request field that sets it; 409 on a
   * clash.
   */
  static Map<String, String> check(
      Catalog catalog,
      List<Workroom.Tool> tools,
      Map<CredentialId, String> envSecretNames,
      Workroom.Network network,
      Set<String> contributorNames) {
    Map<String, String> owners = new LinkedHashMap<>();
    for (String reserved : List.of(KEYROOM_URL, KEYROOM_SESSION_ID, KEYROOM_SESSION_TOKEN)) {
      owners.put(reserved, "Keyroom itself");
    }
    for (int i = 0; i < tools.size(); i++) {
      Workroom.Tool t = tools.get(i);
      CredentialKind kind = catalog.require(t.kind(), "tools[" + i + "].kind");
      for (String name : toolNames(kind, envSecretNames.get(t.credential()))) {
        claim(owners, name, "tools[" + i + "]");
      }
    }
    if (network.tailscale() != null) {
      claim(
          owners,
          catalog.require(TAILSCALE_KIND, "network.tailscaleSecretId").envVar("keyVar"),
          "network.tailscaleSecretId");
    }
    boolean pgDefaults = pgDefaults(network);
    for (int i = 0; i < network.endpoints().size(); i++) {
      for (String name : endpointVariables(network.endpoints().get(i), "x", pgDefaults).keySet()) {
        claim(owners, name, "network.endpoints[" + i + "]");
      }
    }
    for (String name : contributorNames) {
      claim(owners, name, "an integration of the session's user");
    }
    return owners;
  }

  private static void claim(Map<String, String> owners, String name, String field) {
    String before = owners.putIfAbsent(name, field);
    if (before != null) {
      throw new ConflictException(
          field
              + ": would set the environment variable "
              + name
              + ", which "
              + before
              + " already sets; rename one of them");
    }
  }

  /** The variables a tool sets (a user kind's personal values are named at session time). */
  static List<String> toolNames(CredentialKind kind, String envSecretName) {
    List<String> out = new ArrayList<>();
    if (kind.isProxied()) {
      addIfSet(out, kind.envVar("keyVar"));
      addIfSet(out, kind.envVar("baseUrlVar"));
    } else if (kind.nameIsEnvVar()) {
      if (kind.home() == Home.TENANT) {
        addIfSet(out, envSecretName);
      }
    } else {
      addIfSet(out, kind.envVar("keyVar"));
      if ("git-credential".equals(kind.envVar("helper"))) {
        out.addAll(GIT_CONFIG.keySet());
      }
    }
    return out;
  }

  private static void addIfSet(List<String> out, String name) {
    if (name != null && !name.isBlank()) {
      out.add(name);
    }
  }

  /** PG-style variables (PGHOST, …) are set when the workroom has exactly one postgres endpoint. */
  static boolean pgDefaults(Workroom.Network network) {
    return network.endpoints().stream().filter(e -> "postgres".equals(e.protocol())).count() == 1;
  }

  /**
   * The variables of one endpoint, named after it: {@code orders} gives ORDERS_DB_URL,
   * ORDERS_DB_HOST, … for databases and ORDERS_URL, ORDERS_HOST, … otherwise. {@code password} is
   * null when the endpoint has no password secret. Values that contain the password are secret.
   */
  static Map<String, Value> endpointVariables(
      Workroom.Endpoint e, String password, boolean pgDefaults) {
    String p = prefix(e.name());
    Map<String, Value> out = new LinkedHashMap<>();
    String port = Integer.toString(e.port());
    if (DATABASE_PROTOCOLS.contains(e.protocol())) {
      String scheme = "postgres".equals(e.protocol()) ? "postgresql" : "mysql";
      String db = e.database() == null ? "" : e.database();
      String userInfo =
          e.user() == null
              ? ""
              : enc(e.user()) + (password == null ? "" : ":" + enc(password)) + "@";
      out.put(
          p + "_DB_URL",
          new Value(
              scheme + "://" + userInfo + e.host() + ":" + port + "/" + enc(db), password != null));
      out.put(
          p + "_JDBC_URL",
          new Value("jdbc:" + scheme + "://" + e.host() + ":" + port + "/" + enc(db), false));
      out.put(p + "_DB_HOST", new Value(e.host(), false));
      out.put(p + "_DB_PORT", new Value(port, false));
      if (e.user() != null) {
        out.put(p + "_DB_USER", new Value(e.user(), false));
      }
      if (e.database() != null) {
        out.put(p + "_DB_NAME", new Value(e.database(), false));
      }
      if (password != null) {
        out.put(p + "_DB_PASSWORD", new Value(password, true));
      }
      if (pgDefaults && "postgres".equals(e.protocol())) {
        out.put("PGHOST", new Value(e.host(), false));
        out.put("PGPORT", new Value(port, false));
        if (e.user() != null) {
          out.put("PGUSER", new Value(e.user(), false));
        }
        if (e.database() != null) {
          out.put("PGDATABASE", new Value(e.database(), false));
        }
        if (password != null) {
          out.put("PGPASSWORD", new Value(password, true));
        }
      }
      return out;
    }
    out.put(p + "_HOST", new Value(e.host(), false));
    out.put(p + "_PORT", new Value(port, false));
    if (e.protocol().startsWith("http")) {
      out.put(p + "_URL", new Value(e.protocol() + "://" + e.host() + ":" + port, false));
    }
    if (e.user() != null) {
      out.put(p + "_USER", new Value(e.user(), false));
    }
    if (password != null) {
      out.put(p + "_PASSWORD", new Value(password, true));
    }
    return out;
  }

  /** A computed value and whether it carries secret material. */
  record Value(String value, boolean secret) {
    @Override
    public String toString() {
      return "Value[" + (secret ? "[REDACTED]" : value) + "]";
    }
  }

  static String prefix(String endpointName) {
    return endpointName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static Map<String, String> gitConfig() {
    Map<String, String> m = new LinkedHashMap<>();
    // An empty helper first resets any helper configured elsewhere (credential-store would write
    // the token to disk).
    m.put("GIT_CONFIG_COUNT", "2");
    m.put("GIT_CONFIG_KEY_0", "credential.helper");
    m.put("GIT_CONFIG_VALUE_0", "");
    m.put("GIT_CONFIG_KEY_1", "credential.helper");
    m.put("GIT_CONFIG_VALUE_1", "!keyroom git-credential");
    m.put("GIT_TERMINAL_PROMPT", "0");
    return m;
  }
}
