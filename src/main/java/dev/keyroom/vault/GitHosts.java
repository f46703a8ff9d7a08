package dev.keyroom.vault;

import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.error.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The git hosts a credential may be handed to. Each entry is a host name or IP address with an
 * optional port ({@code github.com}, {@code git.example.com:8443}, {@code [2001:db8::1]:443}); no
 * wildcards, schemes, paths or user names. An entry without a port matches the host on the
 * protocol's default port; an entry with a port matches that port only. Names compare without
 * regard to case.
 */
public final class GitHosts {
  public static final int MAX_HOSTS = 16;
  private static final String LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
  private static final Pattern ENTRY =
      Pattern.compile(
          "(" + LABEL + "(?:\\." + LABEL + ")*|\\[[0-9a-f:.]{2,45}\\])(?::([0-9]{1,5}))?");
  private static final String RULE =
      "each host is a name or IP address with an optional :port (1-65535),"
          + " e.g. github.com or git.example.com:8443; no wildcards, schemes, paths or user names";

  private GitHosts() {}

  /**
   * Checks and normalises (lower case, no duplicates) hosts an owner chose; 400 naming {@code
   * field}.
   */
  public static List<String> parse(List<String> hosts, String field) {
    if (hosts == null || hosts.isEmpty()) {
      throw new InvalidInputException(field, "must name at least one git host (" + RULE + ")");
    }
    if (hosts.size() > MAX_HOSTS) {
      throw new InvalidInputException(
          field, "must name at most " + MAX_HOSTS + " hosts (got " + hosts.size() + ")");
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < hosts.size(); i++) {
      String h = hosts.get(i);
      String normal = h == null ? null : h.strip().toLowerCase(Locale.ROOT);
      if (normal == null || normal.length() > 261 || !valid(normal)) {
        throw new InvalidInputException(field + "[" + i + "]", RULE);
      }
      out.add(normal);
    }
    return List.copyOf(out);
  }

  /**
   * The hosts a credential of {@code kind} is bound to: the owner's choice, else the kind's
   * default; a 400 naming {@code hosts} when the kind is never handed to git.
   */
  static List<String> forKind(CredentialKind kind, List<String> chosen) {
    if (!kind.isGit()) {
      if (chosen != null) {
        throw new InvalidInputException(
            "hosts",
            "kind '" + kind.id() + "' is not handed to git; only git credentials" + " have hosts");
      }
      return null;
    }
    return parse(chosen == null ? kind.git().hosts() : chosen, "hosts");
  }

  /** True when {@code host} (as git sends it: name or address, optional :port) is well formed. */
  public static boolean isValid(String host) {
    return host != null && host.length() <= 261 && valid(host.toLowerCase(Locale.ROOT));
  }

  /** True when git's request for {@code host} over {@code protocol} is for one of {@code bound}. */
  public static boolean allows(List<String> bound, String protocol, String host) {
    if (bound == null || host == null) {
      return false;
    }
    Endpoint asked = Endpoint.of(host.toLowerCase(Locale.ROOT), protocol);
    if (asked == null) {
      return false;
    }
    for (String b : bound) {
      Endpoint e = Endpoint.of(b, protocol);
      if (e != null && e.equals(asked)) {
        return true;
      }
    }
    return false;
  }

  /** Stored form: entries separated by single spaces. */
  static String toColumn(List<String> hosts) {
    return hosts == null ? null : String.join(" ", hosts);
  }

  static List<String> fromColumn(String column) {
    if (column == null || column.isBlank()) {
      return null;
    }
    return List.of(column.strip().split(" +"));
  }

  private static boolean valid(String entry) {
    Matcher m = ENTRY.matcher(entry);
    if (!m.matches() || m.group(1).length() > 253) {
      return false;
    }
    if (m.group(2) != null) {
      int port = Integer.parseInt(m.group(2));
      return port >= 1 && port <= 65535;
    }
    return true;
  }

  /** A host with its effective port. */
  private record Endpoint(String host, int port) {
    static Endpoint of(String entry, String protocol) {
      Matcher m = ENTRY.matcher(entry);
      if (!m.matches()) {
        return null;
      }
      int port;
      if (m.group(2) != null) {
        port = Integer.parseInt(m.group(2));
      } else if ("http".equals(protocol)) {
        port = 80;
      } else {
        port = 443;
      }
      return new Endpoint(m.group(1), port);
    }
  }

  /** The hosts as a sentence for messages: "github.com, gitlab.com". */
  static String describe(List<String> hosts) {
    return hosts == null ? "(none)" : String.join(", ", new ArrayList<>(hosts));
  }
}
