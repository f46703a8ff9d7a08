package dev.keyroom.session;

import java.util.List;

/**
 * The dotenv text form of an environment, one variable per line. Values are single-quoted (literal
 * in the common dotenv readers: no escapes, no {@code $} expansion); a value holding a single quote
 * or a line break is double-quoted with {@code \\ \" \n \r \$} escapes.
 */
final class Dotenv {
  private Dotenv() {}

  static String render(List<SessionVariable> variables) {
    StringBuilder sb = new StringBuilder();
    for (SessionVariable v : variables) {
      String value = v.value().revealUtf8();
      if (value.indexOf('\'') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
        sb.append(v.name()).append("='").append(value).append("'\n");
      } else {
        sb.append(v.name()).append("=\"").append(escape(value)).append("\"\n");
      }
    }
    return sb.toString();
  }

  static String escape(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '$' -> sb.append("\\$");
        case '`' -> sb.append("\\`");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
