package dev.keyroom.session;

import java.util.List;

/** The dotenv text form of an environment: {@code NAME="value"}, one per line, escaped. */
final class Dotenv {
  private Dotenv() {}

  static String render(List<SessionVariable> variables) {
    StringBuilder sb = new StringBuilder();
    for (SessionVariable v : variables) {
      sb.append(v.name()).append("=\"").append(escape(v.value().revealUtf8())).append("\"\n");
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
