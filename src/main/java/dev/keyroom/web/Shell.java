package dev.keyroom.web;

import java.util.regex.Pattern;

/** Words of a command a person pastes into a POSIX shell, quoted only where the shell needs it. */
final class Shell {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

  private Shell() {}

  static String quote(String word) {
    return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }
}
