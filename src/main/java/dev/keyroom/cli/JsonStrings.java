package dev.keyroom.cli;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The string members of one JSON object — all {@code git-credential} reads from Keyroom's answer
 * ({@code username}, {@code password}, {@code message}, {@code id}). A strict reader of the whole
 * JSON grammar that keeps only those members: Jackson's parser would do, but its first use
 * initialises {@link java.math.BigDecimal}, whose static tables cost about 40 ms of a helper git
 * runs for every fetch and push (JDK 25). Anything but one well-formed object (trailing bytes, a
 * duplicate name, nesting deeper than {@link #MAX_DEPTH}) reads as no members at all.
 */
final class JsonStrings {
  static final int MAX_DEPTH = 32;

  private final String s;
  private int i;

  private JsonStrings(String s) {
    this.s = s;
  }

  /** The object's string members by name; empty when {@code json} is not one well-formed object. */
  static Map<String, String> of(byte[] json) {
    Map<String, String> members = new HashMap<>();
    try {
      JsonStrings r =
          new JsonStrings(
              StandardCharsets.UTF_8
                  .newDecoder()
                  .decode(java.nio.ByteBuffer.wrap(json))
                  .toString());
      r.space();
      r.object(members, 1);
      r.space();
      return r.i == r.s.length() ? members : Map.of();
    } catch (IllegalArgumentException
        | IndexOutOfBoundsException
        | java.nio.charset.CharacterCodingException e) {
      return Map.of(); // not JSON (a proxy's error page): the status says enough
    }
  }

  private void object(Map<String, String> keep, int depth) {
    expect('{');
    java.util.Set<String> names = new java.util.HashSet<>();
    space();
    if (peek() == '}') {
      i++;
      return;
    }
    while (true) {
      space();
      String name = string();
      if (!names.add(name)) {
        throw new IllegalArgumentException("duplicate member");
      }
      space();
      expect(':');
      space();
      if (peek() == '"') {
        String v = string();
        if (keep != null) {
          keep.put(name, v);
        }
      } else {
        value(depth);
      }
      space();
      if (peek() == ',') {
        i++;
      } else {
        expect('}');
        return;
      }
    }
  }

  private void value(int depth) {
    if (depth >= MAX_DEPTH) {
      throw new IllegalArgumentException("too deep");
    }
    char c = peek();
    switch (c) {
      case '{' -> object(null, depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string();
      case 't' -> word("true");
      case 'f' -> word("false");
      case 'n' -> word("null");
      default -> number();
    }
  }

  private void array(int depth) {
    expect('[');
    space();
    if (peek() == ']') {
      i++;
      return;
    }
    while (true) {
      space();
      value(depth);
      space();
      if (peek() == ',') {
        i++;
      } else {
        expect(']');
        return;
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = s.charAt(i++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        throw new IllegalArgumentException("control character in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = s.charAt(i++);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          b.append((char) Integer.parseInt(hex4(), 16));
        }
        default -> throw new IllegalArgumentException("bad escape");
      }
    }
  }

  private String hex4() {
    String h = s.substring(i, i + 4);
    for (int k = 0; k < 4; k++) {
      if (Character.digit(h.charAt(k), 16) < 0) {
        throw new IllegalArgumentException("bad \\u escape");
      }
    }
    i += 4;
    return h;
  }

  private void number() {
    int start = i;
    if (peek() == '-') {
      i++;
    }
    if (peek() == '0') {
      i++;
    } else {
      digits();
    }
    if (i < s.length() && s.charAt(i) == '.') {
      i++;
      digits();
    }
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (peek() == '+' || peek() == '-') {
        i++;
      }
      digits();
    }
    if (i == start) {
      throw new IllegalArgumentException("not a value");
    }
  }

  private void digits() {
    int start = i;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    if (i == start) {
      throw new IllegalArgumentException("digits expected");
    }
  }

  private void word(String w) {
    if (!s.startsWith(w, i)) {
      throw new IllegalArgumentException("not a value");
    }
    i += w.length();
  }

  private void space() {
    while (i < s.length()
        && (s.charAt(i) == ' '
            || s.charAt(i) == '\t'
            || s.charAt(i) == '\n'
            || s.charAt(i) == '\r')) {
      i++;
    }
  }

  private char peek() {
    return s.charAt(i);
  }

  private void expect(char c) {
    if (s.charAt(i++) != c) {
      throw new IllegalArgumentException("'" + c + "' expected");
    }
  }
}
