package dev.keyroom.oauth;

import dev.keyroom.error.InvalidInputException;

/** Where the browser goes after a sign-in: only a same-origin relative path is allowed. */
final class ReturnTo {
  private ReturnTo() {}

  /** The path, or null for "answer with JSON"; 400 for anything that could leave this origin. */
  static String check(String returnTo) {
    if (returnTo == null || returnTo.isEmpty()) {
      return null;
    }
    boolean ok =
        returnTo.length() <= 512
            && returnTo.startsWith("/")
            && !returnTo.startsWith("//")
            && !returnTo.startsWith("/\\")
            && returnTo.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '\\')
            && !returnTo.contains("#");
    if (!ok) {
      throw new InvalidInputException(
          "returnTo",
          "must be a path on this Keyroom starting with a single '/' (at most 512"
              + " printable ASCII characters, no backslash, no fragment)");
    }
    return returnTo;
  }

  /** {@code path} with one more query parameter set. */
  static String with(String path, String query) {
    return path + (path.contains("?") ? "&" : "?") + query;
  }
}
