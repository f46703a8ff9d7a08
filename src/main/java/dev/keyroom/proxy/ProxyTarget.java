package dev.keyroom.proxy;

import dev.keyroom.error.InvalidInputException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Where a proxied request goes: always the provider's configured base URL plus a checked path. The
 * caller chooses a path under that base and nothing else — no other host, no escape upwards. Works
 * on the raw (still percent-encoded) request target, so an encoded trick is seen as sent.
 */
final class ProxyTarget {
  /**
   * Query parameters that carry keys (Gemini's {@code ?key=}); dropped, never forwarded or logged.
   * So is any parameter whose value holds a Keyroom token.
   */
  private static final Set<String> KEY_PARAMS =
      Set.of("key", "api_key", "apikey", "api-key", "access_token");

  private ProxyTarget() {}

  /**
   * The path after {@code /proxy/<provider>} from the raw request URI; refuses {@code ..} and
   * {@code .} segments, empty segments, backslashes, control characters and percent-encoded
   * slashes, backslashes, dots, percent signs and NULs.
   */
  static String forwardPath(String rawUri, String provider) {
    String prefix = "/proxy/" + provider;
    if (rawUri == null || !rawUri.startsWith(prefix)) {
      throw refuse("the request path must start with " + prefix);
    }
    String rest = rawUri.substring(prefix.length());
    if (rest.isEmpty()) {
      return "/";
    }
    if (rest.charAt(0) != '/') {
      throw refuse("the request path must start with " + prefix + "/");
    }
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == '\\' || c < 0x21 || c == 0x7f) {
        throw refuse("the path contains a backslash, space or control character");
      }
      if (c == '%') {
        if (i + 2 >= rest.length()) {
          throw refuse("the path has a malformed percent-encoding");
        }
        String hex = rest.substring(i + 1, i + 3).toLowerCase(Locale.ROOT);
        if (hex.equals("2f")
            || hex.equals("5c")
            || hex.equals("2e")
            || hex.equals("25")
            || hex.equals("00")
            || !hex.matches("[0-9a-f]{2}")) {
          throw refuse("the path contains an encoded slash, backslash, dot or percent sign");
        }
      }
    }
    String[] segments = rest.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.equals("..") || s.equals(".")) {
        throw refuse("the path contains a '.' or '..' segment");
      }
      if (s.isEmpty() && i < segments.length - 1) {
        throw refuse("the path contains an empty segment ('//')");
      }
    }
    return rest;
  }

  /** The query without key-carrying parameters; null when nothing remains. */
  static String forwardQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return null;
    }
    StringJoiner kept = new StringJoiner("&");
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String decoded;
      try {
        decoded = URLDecoder.decode(name, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
      } catch (IllegalArgumentException e) {
        throw refuse("the query has a malformed percent-encoding");
      }
      if (!KEY_PARAMS.contains(decoded)
          && !ProxyHeaders.carriesKeyroomToken(decodedValue(pair, eq))) {
        kept.add(pair);
      }
    }
    return kept.length() == 0 ? null : kept.toString();
  }

  private static String decodedValue(String pair, int eq) {
    if (eq < 0) {
      return "";
    }
    try {
      return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw refuse("the query has a malformed percent-encoding");
    }
  }

  /** Base plus path plus query, checked to still point at the base's scheme, host and port. */
  static URI resolve(URI base, String path, String query) {
    String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
    String target =
        base.getScheme()
            + "://"
            + base.getRawAuthority()
            + basePath
            + path
            + (query == null ? "" : "?" + query);
    URI uri;
    try {
      uri = URI.create(target);
    } catch (IllegalArgumentException e) {
      throw refuse("the path or query is not a valid URI");
    }
    if (!base.getScheme().equals(uri.getScheme())
        || !base.getRawAuthority().equals(uri.getRawAuthority())
        || uri.getRawUserInfo() != null
        || !uri.getRawPath().startsWith(basePath + "/")) {
      throw refuse("the request would leave the provider's upstream");
    }
    return uri;
  }

  private static InvalidInputException refuse(String rule) {
    return new InvalidInputException("path", rule);
  }
}
