package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * How the CLI reads Keyroom's answers: a strict reader of the whole JSON grammar that builds
 * Jackson's tree nodes directly, the same nodes {@code ObjectMapper.readTree} builds (int, long or
 * big integer nodes by size, double nodes for fractions). Jackson's mapper would do, but building
 * one and its first parse (which initialises {@link java.math.BigDecimal}'s static tables) cost
 * about 40 ms of every command, and {@code git-credential} runs for every fetch and push (JDK 25).
 * Anything but one well-formed value (broken UTF-8, trailing bytes, a duplicate name, nesting
 * deeper than {@link #MAX_DEPTH}) reads as nothing.
 */
final class JsonReader {
  static final int MAX_DEPTH = 32;

  private final String s;

  /**
   * False for {@link #strings}: values are checked, not built (the nodes' classes cost {@code
   * git-credential} about 10 ms of start-up).
   */
  private final boolean build;

  private final JsonNodeFactory nodes;

  private int i;

  private JsonReader(byte[] json, boolean build) throws CharacterCodingException {
    this.s = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(json)).toString();
    this.build = build;
    this.nodes = build ? JsonNodeFactory.instance : null;
  }

  /** The document as a tree; null when {@code json} is not one well-formed JSON value. */
  static JsonNode tree(byte[] json) {
    try {
      JsonReader r = new JsonReader(json, true);
      r.space();
      JsonNode value = r.value(0);
      r.space();
      return r.i == r.s.length() ? value : null;
    } catch (IllegalArgumentException | IndexOutOfBoundsException | CharacterCodingException e) {
      return null; // not JSON (a proxy's error page): the status says enough
    }
  }

  /**
   * The string members of one object ({@code username}, {@code password}, {@code message}: what
   * {@code git-credential} reads); empty when {@code json} is not one well-formed object.
   */
  static Map<String, String> strings(byte[] json) {
    Map<String, String> members = new HashMap<>();
    try {
      JsonReader r = new JsonReader(json, false);
      r.space();
      r.object(1, members);
      r.space();
      return r.i == r.s.length() ? members : Map.of();
    } catch (IllegalArgumentException | IndexOutOfBoundsException | CharacterCodingException e) {
      return Map.of();
    }
  }

  private JsonNode value(int depth) {
    if (depth >= MAX_DEPTH) {
      throw new IllegalArgumentException("too deep");
    }
    return switch (peek()) {
      case '{' -> object(depth + 1, null);
      case '[' -> array(depth + 1);
      case '"' -> {
        String text = string();
        yield build ? nodes.textNode(text) : null;
      }
      case 't' -> word("true", build ? nodes.booleanNode(true) : null);
      case 'f' -> word("false", build ? nodes.booleanNode(false) : null);
      case 'n' -> word("null", build ? nodes.nullNode() : null);
      default -> number();
    };
  }

  /**
   * One object: a node when building; else only checked, and its string members put in {@code
   * strings} when that is not null (the top level of {@link #strings}).
   */
  private ObjectNode object(int depth, Map<String, String> strings) {
    expect('{');
    ObjectNode o = build ? nodes.objectNode() : null;
    java.util.Set<String> names = build ? null : new java.util.HashSet<>();
    space();
    if (peek() == '}') {
      i++;
      return o;
    }
    while (true) {
      space();
      String name = string();
      space();
      expect(':');
      space();
      boolean fresh;
      if (strings != null && peek() == '"') {
        fresh = names.add(name);
        strings.put(name, string());
      } else {
        JsonNode value = value(depth);
        fresh = build ? o.replace(name, value) == null : names.add(name);
      }
      if (!fresh) {
        throw new IllegalArgumentException("duplicate member");
      }
      space();
      if (peek() == ',') {
        i++;
      } else {
        expect('}');
        return o;
      }
    }
  }

  private ArrayNode array(int depth) {
    expect('[');
    ArrayNode a = build ? nodes.arrayNode() : null;
    space();
    if (peek() == ']') {
      i++;
      return a;
    }
    while (true) {
      space();
      JsonNode value = value(depth);
      if (build) {
        a.add(value);
      }
      space();
      if (peek() == ',') {
        i++;
      } else {
        expect(']');
        return a;
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
        case 'u' -> b.append((char) Integer.parseInt(hex4(), 16));
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

  /** A number as readTree makes it: int, long or big integer by size; a fraction as a double. */
  private JsonNode number() {
    int start = i;
    if (peek() == '-') {
      i++;
    }
    if (peek() == '0') {
      i++;
    } else {
      digits();
    }
    boolean integral = true;
    if (i < s.length() && s.charAt(i) == '.') {
      i++;
      digits();
      integral = false;
    }
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (peek() == '+' || peek() == '-') {
        i++;
      }
      digits();
      integral = false;
    }
    if (!build) {
      return null;
    }
    String text = s.substring(start, i);
    if (!integral) {
      return nodes.numberNode(Double.parseDouble(text));
    }
    if (text.length() <= 18) {
      long v = Long.parseLong(text);
      return v == (int) v ? nodes.numberNode((int) v) : nodes.numberNode(v);
    }
    BigInteger big = new BigInteger(text);
    return big.bitLength() <= 31
        ? nodes.numberNode(big.intValue())
        : big.bitLength() <= 63 ? nodes.numberNode(big.longValue()) : nodes.numberNode(big);
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

  private JsonNode word(String w, JsonNode node) {
    if (!s.startsWith(w, i)) {
      throw new IllegalArgumentException("not a value");
    }
    i += w.length();
    return node;
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
