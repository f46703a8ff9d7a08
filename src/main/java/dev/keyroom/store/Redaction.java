package dev.keyroom.store;

import java.util.regex.Pattern;

/** Masks credentials in strings that may reach a log: JDBC URLs, config dumps, request URLs. */
public final class Redaction {
  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?i)((?:password|passwd|pwd|secret|token|key|sslpassword)=)[^&;\\s]*");
  private static final Pattern USERINFO = Pattern.compile("(//[^/@:\\s]*:)[^/@\\s]*@");

  private Redaction() {}

  /**
   * A JDBC or HTTP URL with passwords in the query and in the user-info replaced by {@code ***}.
   */
  public static String jdbcUrl(String url) {
    if (url == null) {
      return null;
    }
    String masked = URL_PASSWORD.matcher(url).replaceAll("$1***");
    return USERINFO.matcher(masked).replaceAll("$1***@");
  }

  /** A request path without its query string (queries may carry keys, e.g. Gemini's ?key=). */
  public static String pathOnly(String pathAndQuery) {
    if (pathAndQuery == null) {
      return null;
    }
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q) + "?[query removed]";
  }
}
