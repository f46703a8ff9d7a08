package dev.keyroom.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Masks injected values in a child's output, in every form programs commonly print them:
 *
 * <ul>
 *   <li>text: each character as itself (in any ASCII case, so upper- and lower-cased values too),
 *       percent-encoded ({@code %2F}/{@code %2f}, {@code +} for a space), as a JSON or JavaScript
 *       escape (backslash-u and four hex digits, {@code \/}, {@code \"}, {@code \\}) or a {@code
 *       \x2f} escape — mixed freely;
 *   <li>hex of the UTF-8 bytes, either case, bytes optionally separated by a space, a colon or a
 *       line break ({@code xxd -p} wraps at 60 columns);
 *   <li>base64, standard and URL-safe alphabets, at each of the three byte alignments inside a
 *       longer encoding, wrapped at any column ({@code \n} or {@code \r\n}).
 * </ul>
 *
 * Multi-line values are masked line by line. Values (and lines) under {@link #MIN_LENGTH}
 * characters are not masked: masking a short common string would reveal where it occurs.
 *
 * <p>Works on bytes read as ISO-8859-1, so any output (also binary) passes through unchanged except
 * for the masked spans. {@link Stream} masks output that arrives in pieces: it holds back only a
 * tail that could still become a match.
 */
final class OutputMasker {
  static final int MIN_LENGTH = 8;
  static final String MASK = "[masked]";
  private static final String LINE_BREAK = "(?:\\r?\\n)?";
  private static final int PIECE = 64;
  private static final int OVERLAP = 16;

  /** Indexed by the first character (ISO-8859-1) of a match: the forms that can start with it. */
  private final Pattern[] byFirst = new Pattern[256];

  private final boolean empty;
  private final int longestMatch;

  OutputMasker(List<String> values) {
    List<String> pieces = new ArrayList<>();
    for (String line : masked(values)) {
      pieces.addAll(pieces(line));
    }
    pieces.sort(Comparator.comparingInt(String::length).reversed());
    List<Set<String>> alternatives = new ArrayList<>();
    for (int c = 0; c < 256; c++) {
      alternatives.add(new LinkedHashSet<>());
    }
    int longest = 0;
    for (String piece : pieces) {
      byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
      List<Form> forms = new ArrayList<>(List.of(text(piece), hex(utf8)));
      forms.addAll(base64(utf8));
      for (Form f : forms) {
        for (char c : f.first.toCharArray()) {
          alternatives.get(c).add(f.regex);
        }
        longest = Math.max(longest, f.maxLength);
      }
    }
    try {
      for (int c = 0; c < 256; c++) {
        if (!alternatives.get(c).isEmpty()) {
          byFirst[c] =
              Pattern.compile(String.join("|", alternatives.get(c)), Pattern.CASE_INSENSITIVE);
        }
      }
    } catch (PatternSyntaxException e) { // its message would quote the pattern, that is the values
      throw new IllegalStateException(
          "output masking could not be prepared (" + e.getClass().getSimpleName() + ")");
    }
    this.empty = pieces.isEmpty();
    this.longestMatch = longest;
  }

  /**
   * A line in overlapping pieces of at most {@link #PIECE} characters, so that no expression grows
   * with the value and every base64 character that straddles two pieces lies inside one of them.
   */
  private static List<String> pieces(String line) {
    int[] cps = line.codePoints().toArray();
    if (cps.length <= PIECE) {
      return List.of(line);
    }
    List<String> pieces = new ArrayList<>();
    for (int from = 0; ; from += PIECE - OVERLAP) {
      int start = Math.min(from, cps.length - PIECE);
      pieces.add(new String(cps, start, PIECE));
      if (start + PIECE >= cps.length) {
        return pieces;
      }
    }
  }

  /**
   * The lines of the values (without surrounding blanks, which programs often trim) long enough to
   * mask.
   */
  private static Set<String> masked(List<String> values) {
    Set<String> lines = new LinkedHashSet<>();
    for (String value : values) {
      for (String line : value.split("\\R")) {
        if (line.strip().length() >= MIN_LENGTH) {
          lines.add(line.strip());
        }
      }
    }
    return lines;
  }

  /** True when {@code value} is too short to be masked at all. */
  static boolean tooShort(String value) {
    return masked(List.of(value)).isEmpty();
  }

  /** True when {@code value} is masked, but some of its non-blank lines are too short to be. */
  static boolean partlyUnmasked(String value) {
    return !tooShort(value)
        && value.lines().anyMatch(l -> !l.isBlank() && l.strip().length() < MIN_LENGTH);
  }

  /** Masks one complete piece of output (bytes as ISO-8859-1 characters). */
  String mask(String latin1) {
    StringBuilder out = new StringBuilder(latin1.length());
    process(latin1, true, out);
    return out.toString();
  }

  byte[] mask(byte[] bytes, int len) {
    return mask(new String(bytes, 0, len, StandardCharsets.ISO_8859_1))
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A new stream of output that arrives in pieces. */
  Stream stream() {
    return new Stream();
  }

  /**
   * Output that arrives in pieces: what cannot be part of a value is released at once, a tail that
   * may still grow into a masked form is held until more output decides it or {@link #flush()} is
   * called.
   */
  final class Stream {
    private final StringBuilder pending = new StringBuilder();

    /** Takes the next piece; returns the bytes that can be forwarded now, masked. */
    byte[] accept(byte[] bytes, int len) {
      pending.append(new String(bytes, 0, len, StandardCharsets.ISO_8859_1));
      return drain(false);
    }

    /** Releases everything held (a tail that never became a value is forwarded as it is). */
    byte[] flush() {
      return drain(true);
    }

    /** True while a tail is held back. */
    boolean holding() {
      return pending.length() > 0;
    }

    private byte[] drain(boolean last) {
      StringBuilder out = new StringBuilder(pending.length());
      int consumed = process(pending, last, out);
      pending.delete(0, consumed);
      return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * Appends {@code text} with every match masked to {@code out}, except (unless {@code last}) a
   * tail that could be the start of a match; returns how many characters of {@code text} were
   * consumed. Matches may overlap (pieces of one value do); overlapping ones are masked as one.
   */
  private int process(CharSequence text, boolean last, StringBuilder out) {
    int len = text.length();
    if (empty) {
      out.append(text);
      return len;
    }
    Matcher[] matchers = new Matcher[256];
    List<int[]> spans = new ArrayList<>();
    int hold = len;
    for (int p = 0; p < len; p++) {
      int c = text.charAt(p) & 0xff;
      if (byFirst[c] == null) {
        continue;
      }
      Matcher m = matchers[c] == null ? matchers[c] = byFirst[c].matcher(text) : matchers[c];
      m.region(p, len);
      if (m.lookingAt()) {
        int[] previous = spans.isEmpty() ? null : spans.get(spans.size() - 1);
        if (previous != null && p <= previous[1]) {
          previous[1] = Math.max(previous[1], m.end());
        } else {
          spans.add(new int[] {p, m.end()});
        }
      }
      if (!last && hold == len && m.hitEnd()) {
        hold = p; // more output could complete or extend a match that starts here
      }
    }
    for (int[] span : spans) {
      if (span[0] < hold && span[1] > hold) {
        hold = span[0]; // a decided match that overlaps an undecided tail: hold all of it
      }
    }
    int pos = 0;
    for (int[] span : spans) {
      if (span[0] >= hold) {
        break;
      }
      out.append(text, pos, span[0]);
      appendMask(text, span[0], span[1], out);
      pos = span[1];
    }
    out.append(text, pos, hold);
    return hold;
  }

  /** One mask per line the match spans (wrapped encodings keep their line breaks). */
  private static void appendMask(CharSequence text, int start, int end, StringBuilder out) {
    boolean inLine = false;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        out.append(c);
        inLine = false;
      } else if (!inLine) {
        out.append(MASK);
        inLine = true;
      }
    }
  }

  /**
   * A regular expression for one form of one value, the characters it can start with, the longest
   * text it matches.
   */
  private record Form(String regex, String first, int maxLength) {}

  private static Form text(String line) {
    StringBuilder regex = new StringBuilder("(?:");
    StringBuilder first = new StringBuilder();
    int max = 0;
    for (int i = 0; i < line.length(); ) {
      int cp = line.codePointAt(i);
      i += Character.charCount(cp);
      List<String> alternatives = characterForms(cp);
      alternatives.sort(Comparator.comparingInt(String::length).reversed());
      max += alternatives.get(0).length();
      if (i == Character.charCount(cp)) {
        alternatives.forEach(a -> first.append(a.charAt(0)));
      }
      regex.append("(?:");
      for (int a = 0; a < alternatives.size(); a++) {
        regex.append(a == 0 ? "" : "|").append(Pattern.quote(alternatives.get(a)));
      }
      regex.append(')');
    }
    return new Form(regex.append(')').toString(), bothCases(first), max);
  }

  /** Every way a program commonly prints one character (as ISO-8859-1 text of its bytes). */
  private static List<String> characterForms(int cp) {
    byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
    Set<String> forms = new LinkedHashSet<>();
    forms.add(new String(utf8, StandardCharsets.ISO_8859_1));
    StringBuilder percent = new StringBuilder();
    StringBuilder xEscape = new StringBuilder();
    for (byte b : utf8) {
      percent.append('%').append(hex2(b & 0xff));
      xEscape.append("\\x").append(hex2(b & 0xff));
    }
    forms.add(percent.toString());
    forms.add(xEscape.toString());
    if (cp < 0x100) {
      forms.add("\\x" + hex2(cp));
    }
    StringBuilder unicode = new StringBuilder();
    for (char c : Character.toChars(cp)) {
      unicode.append("\\u").append(String.format(Locale.ROOT, "%04x", (int) c));
    }
    forms.add(unicode.toString());
    switch (cp) {
      case ' ' -> forms.add("+");
      case '"' -> forms.add("\\\"");
      case '\\' -> forms.add("\\\\");
      case '/' -> forms.add("\\/");
      case '\'' -> forms.add("\\'");
      case '\t' -> forms.add("\\t");
      case '\b' -> forms.add("\\b");
      case '\f' -> forms.add("\\f");
      default -> {}
    }
    return new ArrayList<>(forms);
  }

  private static Form hex(byte[] utf8) {
    StringBuilder regex = new StringBuilder("(?:");
    for (int i = 0; i < utf8.length; i++) {
      regex.append(i == 0 ? "" : "(?:[ :]|\\r?\\n)?").append(hex2(utf8[i] & 0xff));
    }
    return new Form(
        regex.append(')').toString(),
        bothCases(hex2(utf8[0] & 0xff).substring(0, 1)),
        4 * utf8.length);
  }

  /** The characters of the value's base64 at each alignment that only the value determines. */
  private static List<Form> base64(byte[] utf8) {
    List<Form> forms = new ArrayList<>();
    for (int shift = 0; shift < 3; shift++) {
      byte[] shifted = new byte[shift + utf8.length];
      System.arraycopy(utf8, 0, shifted, shift, utf8.length);
      String std = Base64.getEncoder().withoutPadding().encodeToString(shifted);
      int from = (8 * shift + 5) / 6;
      int to = (8 * (shift + utf8.length)) / 6;
      if (to - from < MIN_LENGTH) {
        continue;
      }
      StringBuilder regex = new StringBuilder("(?-i:");
      for (int i = from; i < to; i++) {
        char c = std.charAt(i);
        regex
            .append(i == from ? "" : LINE_BREAK)
            .append(c == '+' ? "[+-]" : c == '/' ? "[/_]" : String.valueOf(c));
      }
      char c = std.charAt(from);
      String first = c == '+' ? "+-" : c == '/' ? "/_" : String.valueOf(c);
      forms.add(new Form(regex.append(')').toString(), first, 3 * (to - from)));
    }
    return forms;
  }

  /** The characters, with each ASCII letter in both cases (the text and hex forms match either). */
  private static String bothCases(CharSequence chars) {
    StringBuilder b = new StringBuilder();
    chars
        .chars()
        .forEach(
            c -> {
              b.append((char) c);
              if (c < 0x80 && Character.isLetter(c)) {
                b.append(Character.toUpperCase((char) c)).append(Character.toLowerCase((char) c));
              }
            });
    return b.toString();
  }

  private static String hex2(int b) {
    return String.format(Locale.ROOT, "%02x", b);
  }
}
