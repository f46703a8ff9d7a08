package dev.keyroom.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Masks injected values in a child's output: the literal value, its base64 forms (standard and
 * URL-safe, padded or not, at any byte alignment inside a longer encoding) and its URL-encoded
 * forms. Multi-line values are masked line by line. Values under {@link #MIN_LENGTH} characters
 * are not masked: masking a short common word would reveal where it occurs.
 *
 * <p>Works on bytes decoded as ISO-8859-1, so any output (also binary) passes through unchanged
 * except for the masked spans.
 */
final class OutputMasker {
  static final int MIN_LENGTH = 8;
  static final String MASK = "[masked]";

  private final List<String> patterns;

  OutputMasker(List<String> values) {
    Set<String> forms = new LinkedHashSet<>();
    for (String value : values) {
      for (String line : value.split("\\R")) {
        if (line.length() >= MIN_LENGTH) {
          addForms(forms, line);
        }
      }
      if (value.length() >= MIN_LENGTH && !value.contains("\n")) {
        addForms(forms, value);
      }
    }
    List<String> sorted = new ArrayList<>(forms);
    sorted.removeIf(f -> f.length() < MIN_LENGTH - 2);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    this.patterns = List.copyOf(sorted);
  }

  /** True when {@code value} is too short to be masked safely. */
  static boolean tooShort(String value) {
    return value.strip().length() < MIN_LENGTH;
  }

  /** Masks one chunk of output (bytes as ISO-8859-1 characters). */
  String mask(String latin1) {
    String out = latin1;
    for (String p : patterns) {
      if (out.contains(p)) {
        out = out.replace(p, MASK);
      }
    }
    return out;
  }

  byte[] mask(byte[] bytes, int len) {
    return mask(new String(bytes, 0, len, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void addForms(Set<String> forms, String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    forms.add(new String(utf8, StandardCharsets.ISO_8859_1));
    String urlEncoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
    forms.add(urlEncoded);
    forms.add(urlEncoded.replace("+", "%20"));
    for (int shift = 0; shift < 3; shift++) {
      byte[] shifted = new byte[shift + utf8.length];
      System.arraycopy(utf8, 0, shifted, shift, utf8.length);
      String std = Base64.getEncoder().withoutPadding().encodeToString(shifted);
      // characters fully determined by the value: from bit 8*shift to bit 8*(shift+len)
      int from = (8 * shift + 5) / 6;
      int to = (8 * (shift + utf8.length)) / 6;
      if (to - from >= MIN_LENGTH) {
        String core = std.substring(from, to);
        forms.add(core);
        forms.add(core.replace('+', '-').replace('/', '_'));
      }
    }
  }
}
