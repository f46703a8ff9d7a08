package dev.keyroom.attack;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A child for {@code keyroom run}: reads one variable from its environment and prints it in every
 * form programs commonly print, each in its own write (some split by a pause, one straddling 64
 * KiB), interleaved with ordinary numbered lines that must arrive intact and in order.
 */
public final class FormPrinter {
  private FormPrinter() {}

  /** Ordinary lines the launcher must forward unchanged, in order. */
  static String ordinary(int i) {
    return "ordinary "
        + i
        + " the quick brown fox jumps over the lazy dog 0123456789 ABCDEF abcdef";
  }

  /**
   * Every one-piece form of {@code v} this child prints (the wrapped ones are checked unwrapped).
   */
  static List<String> forms(String v) {
    byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
    List<String> forms = new ArrayList<>();
    forms.add(v);
    forms.add(v.toUpperCase(Locale.ROOT));
    forms.add(v.toLowerCase(Locale.ROOT));
    forms.add(HexFormat.of().formatHex(utf8));
    forms.add(HexFormat.of().withUpperCase().formatHex(utf8));
    forms.add(jsonPlain(v));
    forms.add(jsonPlain(v).replace("/", "\\/"));
    forms.add(jsonUnicode(v, false));
    forms.add(jsonUnicode(v, true));
    forms.add(URLEncoder.encode(v, StandardCharsets.UTF_8));
    forms.add(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
    forms.add(percentEverything(utf8));
    for (int shift = 0; shift < 3; shift++) {
      forms.add(Base64.getEncoder().encodeToString(shifted(utf8, shift)));
      forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(shifted(utf8, shift)));
    }
    return forms;
  }

  public static void main(String[] args) throws Exception {
    String v = System.getenv(args[0]);
    OutputStream out = new FileOutputStream(FileDescriptor.out);
    int n = 0;
    write(out, ordinary(n++) + "\n");
    // two writes with a pause between them
    int half = v.length() / 2;
    write(out, "split: " + v.substring(0, half));
    Thread.sleep(100);
    write(out, v.substring(half) + " :end\n");
    write(out, ordinary(n++) + "\n");
    for (String form : forms(v)) {
      write(out, "form: " + form + "\n");
      write(out, ordinary(n++) + "\n");
    }
    byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
    // base64 wrapped at 20 (\n) and 76 (MIME, \r\n) columns, at every alignment
    for (int shift = 0; shift < 3; shift++) {
      write(
          out,
          "wrapped20:\n"
              + wrap(Base64.getEncoder().encodeToString(shifted(utf8, shift)), 20, "\n")
              + "\n");
      write(out, ordinary(n++) + "\n");
      write(
          out,
          "mime:\n"
              + Base64.getMimeEncoder().encodeToString(shifted(pad(utf8, 60), shift))
              + "\r\n");
      write(out, ordinary(n++) + "\n");
    }
    // hex wrapped like xxd -p (60 columns), in two writes with a pause inside
    String xxd = wrap(HexFormat.of().formatHex(pad(utf8, 40)), 60, "\n");
    write(out, "xxd:\n" + xxd.substring(0, xxd.length() - 30));
    Thread.sleep(100);
    write(out, xxd.substring(xxd.length() - 30) + "\n");
    write(out, ordinary(n++) + "\n");
    // a value straddling the 64 KiB boundary of one long line
    String big = bigFiller(v);
    write(out, big + v + big + "\n");
    write(out, ordinary(n++) + "\n");
    write(out, "last " + n + "\n");
    out.flush();
  }

  static String bigFiller(String v) {
    int half = v.length() / 2;
    StringBuilder big = new StringBuilder();
    while (big.length() < 65536 - half) {
      big.append((char) ('a' + big.length() % 26));
    }
    big.setLength(65536 - half);
    return big.toString();
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static byte[] shifted(byte[] utf8, int shift) {
    byte[] b = new byte[shift + utf8.length + 2];
    for (int i = 0; i < shift; i++) {
      b[i] = (byte) ('K' + i);
    }
    System.arraycopy(utf8, 0, b, shift, utf8.length);
    b[b.length - 2] = '\n';
    b[b.length - 1] = '!';
    return b;
  }

  /** The value inside a longer blob, so wrapping breaks the value's encoding in the middle. */
  static byte[] pad(byte[] utf8, int before) {
    byte[] b = new byte[before + utf8.length + 7];
    java.util.Arrays.fill(b, (byte) '.');
    System.arraycopy(utf8, 0, b, before, utf8.length);
    return b;
  }

  static String wrap(String s, int width, String eol) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i += width) {
      if (i > 0) {
        b.append(eol);
      }
      b.append(s, i, Math.min(s.length(), i + width));
    }
    return b.toString();
  }

  static String jsonPlain(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  static String jsonUnicode(String v, boolean upper) {
    StringBuilder b = new StringBuilder();
    for (char c : v.toCharArray()) {
      String hex = String.format("%04x", (int) c);
      b.append("\\u").append(upper ? hex.toUpperCase(Locale.ROOT) : hex);
    }
    return b.toString();
  }

  static String percentEverything(byte[] utf8) {
    StringBuilder b = new StringBuilder();
    for (byte x : utf8) {
      b.append('%').append(String.format("%02X", x & 0xff));
    }
    return b.toString();
  }
}
