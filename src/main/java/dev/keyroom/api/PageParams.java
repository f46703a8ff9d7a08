package dev.keyroom.api;

import dev.keyroom.error.InvalidInputException;
import io.javalin.http.Context;

/**
 * The paging parameters of a list, the same in the API and on the web pages: {@code limit} (rows on
 * a page, bounded) and at most one of {@code before} and {@code after} (a cursor: the key of the
 * row the page starts next to, as the previous answer gave it). Parsing a cursor is the list's own
 * business; a bad one is refused with a rule naming the parameter, never its value.
 */
public record PageParams(int limit, String before, String after) {
  /**
   * Reads {@code limit}, {@code before} and {@code after}; refuses a limit outside 1 … {@code max}
   * and both cursors at once.
   */
  public static PageParams read(Context ctx, int defaultLimit, int max) {
    String rawLimit = blankToNull(ctx.queryParam("limit"));
    int limit = defaultLimit;
    if (rawLimit != null) {
      if (!rawLimit.matches("\\d{1,9}")) {
        throw new InvalidInputException(
            "limit", "must be a whole number from 1 to " + max + " (rows on a page)");
      }
      limit = Integer.parseInt(rawLimit);
      if (limit < 1 || limit > max) {
        throw new InvalidInputException(
            "limit", "must be from 1 to " + max + " (rows on a page; got " + limit + ")");
      }
    }
    String before = blankToNull(ctx.queryParam("before"));
    String after = blankToNull(ctx.queryParam("after"));
    if (before != null && after != null) {
      throw new InvalidInputException("before", "give either before or after, not both");
    }
    return new PageParams(limit, before, after);
  }

  /**
   * Parses a cursor that is a sequence number (1 or more), naming {@code parameter} when it is not.
   */
  public static long sequence(String parameter, String raw, String what) {
    if (raw == null || !raw.matches("\\d{1,18}") || Long.parseLong(raw) < 1) {
      throw new InvalidInputException(
          parameter, "must be the sequence number of " + what + " (a whole number, 1 or more)");
    }
    return Long.parseLong(raw);
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }
}
