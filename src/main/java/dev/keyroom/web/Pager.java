package dev.keyroom.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "Previous" and "Next" links of a paged list (null: no page that way). A link keeps the list's
 * filters and moves only the cursor, which names the row the page starts next to.
 */
public record Pager(String previous, String next) {
  public static final Pager NONE = new Pager(null, null);

  public boolean any() {
    return previous != null || next != null;
  }

  /**
   * Links from {@code path} with {@code query} (filters; empty values left out) plus {@code
   * prevParam=prevCursor} or {@code nextParam=nextCursor}; a null cursor means no link.
   */
  static Pager of(
      String path,
      Map<String, String> query,
      String prevParam,
      String prevCursor,
      String nextParam,
      String nextCursor) {
    return new Pager(
        prevCursor == null ? null : href(path, query, prevParam, prevCursor),
        nextCursor == null ? null : href(path, query, nextParam, nextCursor));
  }

  /**
   * {@code path?k=v&…} with every non-empty value of {@code query} and one more parameter, all
   * URL-encoded.
   */
  static String href(String path, Map<String, String> query, String param, String value) {
    Map<String, String> all = new LinkedHashMap<>(query);
    all.put(param, value);
    StringBuilder sb = new StringBuilder(path);
    char sep = '?';
    for (Map.Entry<String, String> e : all.entrySet()) {
      if (e.getValue() == null || e.getValue().isEmpty()) {
        continue;
      }
      sb.append(sep)
          .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return sb.toString();
  }
}
