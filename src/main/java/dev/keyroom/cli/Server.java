package dev.keyroom.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place that decides which Keyroom the CLI talks to and with which API token. URL: {@code
 * --url}, else {@code KEYROOM_URL}, else the profile's URL, else {@code
 * http://<KEYROOM_BIND>:<KEYROOM_PORT>} (127.0.0.1 for a wildcard bind; 8080 by default). Token:
 * {@code KEYROOM_TOKEN}, else the profile's token — and a stored token only ever goes to the URL it
 * was verified against at login, never to a URL given by a flag or the environment.
 */
final class Server {
  private Server() {}

  /**
   * Where to go and with which token ({@code profile} null: from KEYROOM_TOKEN); the token never
   * reaches a string.
   */
  record Target(String url, String token, String profile) {
    @Override
    public String toString() {
      return "Target[url=" + url + ", profile=" + profile + ", token=[REDACTED]]";
    }
  }

  /** Keyroom's URL for this invocation (no token needed). */
  static String url(String flag) {
    return url(flag, null);
  }

  static String url(String flag, String profileFlag) {
    String explicit = explicitUrl(flag);
    if (explicit != null) {
      return explicit;
    }
    Profiles profiles = Profiles.load();
    return profiles
        .get(profiles.chosen(profileFlag))
        .map(Profiles.Profile::url)
        .filter(u -> u != null)
        .orElseGet(Server::defaultUrl);
  }

  /** The URL and the token for a command that acts as a user. */
  static Target target(String urlFlag, String profileFlag) {
    String envToken = System.getenv("KEYROOM_TOKEN");
    boolean haveEnvToken = envToken != null && !envToken.isBlank();
    String explicitFirst = explicitUrl(urlFlag);
    if (haveEnvToken && explicitFirst != null && profileFlag == null) {
      return new Target(explicitFirst, envToken.trim(), null); // nothing from the file is needed
    }
    Profiles profiles = Profiles.load();
    String name = profiles.chosen(profileFlag);
    Optional<Profiles.Profile> profile = profiles.get(name);
    String url =
        explicitFirst != null
            ? explicitFirst
            : profile
                .map(Profiles.Profile::url)
                .filter(u -> u != null)
                .orElseGet(Server::defaultUrl);
    if (haveEnvToken) {
      return new Target(url, envToken.trim(), null); // the profile gave at most the URL
    }
    if (profile.isEmpty() && !profiles.names().isEmpty()) {
      profiles.require(name);
    }
    if (profile.isEmpty() || profile.get().token() == null) {
      throw new Failures.CliException(
          Main.USAGE,
          "not logged in"
              + (profile.isPresent() ? " (profile '" + name + "')" : "")
              + ": run `keyroom login "
              + url
              + "` (the token is read from stdin or a prompt) or set KEYROOM_TOKEN");
    }
    if (!sameServer(url, profile.get().url())) {
      throw new Failures.CliException(
          Main.USAGE,
          "profile '"
              + name
              + "' holds a token for "
              + profile.get().url()
              + ", not for "
              + url
              + "; a stored token goes only to the server it was saved for: run `keyroom login "
              + url
              + " --profile NAME` or set KEYROOM_TOKEN");
    }
    return new Target(url, profile.get().token(), name);
  }

  /**
   * {@code http://<KEYROOM_BIND>:<KEYROOM_PORT>}: where `keyroom serve` listens on this machine by
   * default.
   */
  static String defaultUrl() {
    String port = System.getenv().getOrDefault("KEYROOM_PORT", "8080").trim();
    try {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new Failures.CliException(Main.USAGE, "KEYROOM_PORT must be a number from 1 to 65535");
    }
    String bind = System.getenv().getOrDefault("KEYROOM_BIND", "").trim();
    String host =
        switch (bind) {
          case "", "0.0.0.0", "::", "[::]" -> "127.0.0.1";
          default -> bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
        };
    return "http://" + host + ":" + port;
  }

  /** A Keyroom URL a person typed: http or https, a host, no user info, query or fragment. */
  static String normalise(String raw, String field) {
    String u = raw.trim().replaceAll("/+$", "");
    try {
      URI uri = new URI(u);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
        throw new Failures.CliException(
            Main.USAGE, field + ": must be an http:// or https:// URL with a host");
      }
      if (uri.getRawUserInfo() != null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw new Failures.CliException(
            Main.USAGE, field + ": must not carry user info, a query or a fragment");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new Failures.CliException(Main.USAGE, field + ": is not a URL");
    }
  }

  private static String explicitUrl(String flag) {
    if (flag != null) {
      return normalise(flag, "--url");
    }
    String env = System.getenv("KEYROOM_URL");
    return env == null || env.isBlank() ? null : normalise(env, "KEYROOM_URL");
  }

  private static boolean sameServer(String a, String b) {
    if (b == null) {
      return false;
    }
    URI x = URI.create(a);
    URI y = URI.create(b);
    return x.getScheme().equalsIgnoreCase(y.getScheme())
        && x.getHost().equalsIgnoreCase(y.getHost())
        && port(x) == port(y)
        && x.getPath().replaceAll("/+$", "").equals(y.getPath().replaceAll("/+$", ""));
  }

  private static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }
}
