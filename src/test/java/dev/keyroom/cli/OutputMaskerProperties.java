package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class OutputMaskerProperties {

  @Property(tries = 300)
  void literalAndEncodedFormsAreMasked(
      @ForAll @StringLength(min = 8, max = 64) String raw,
      @ForAll @StringLength(max = 20) String before,
      @ForAll @StringLength(max = 20) String after) {
    String secret = oneLine(raw);
    OutputMasker m = new OutputMasker(List.of(secret));
    assertThat(latin1(m, before + secret + after)).doesNotContain(utf8AsLatin1(secret));
    String b64 = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
    assertThat(latin1(m, "x " + b64 + " y")).contains(OutputMasker.MASK);
    String url = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    assertThat(latin1(m, "u=" + url)).doesNotContain(url);
  }

  @Property(tries = 300)
  void base64OfTheSecretInsideLongerDataIsMaskedAtAnyAlignment(
      @ForAll @StringLength(min = 8, max = 40) String raw,
      @ForAll @StringLength(max = 7) String prefix) {
    String secret = oneLine(raw);
    OutputMasker m = new OutputMasker(List.of(secret));
    String b64 =
        Base64.getEncoder()
            .encodeToString((prefix + secret + "\n").getBytes(StandardCharsets.UTF_8));
    assertThat(latin1(m, b64)).contains(OutputMasker.MASK);
  }

  @Property(tries = 100)
  void shortValuesAreLeftAlone(@ForAll @StringLength(min = 1, max = 7) String value) {
    OutputMasker m = new OutputMasker(List.of(value));
    assertThat(latin1(m, "a " + value + " b")).isEqualTo(utf8AsLatin1("a " + value + " b"));
  }

  @Property(tries = 50)
  void multiLineSecretsAreMaskedLineByLine(
      @ForAll @StringLength(min = 8, max = 30) String one,
      @ForAll @StringLength(min = 8, max = 30) String two) {
    String a = oneLine(one);
    String b = oneLine(two);
    OutputMasker m = new OutputMasker(List.of(a + "\n" + b));
    assertThat(latin1(m, "line: " + b + "\n")).doesNotContain(utf8AsLatin1(b));
  }

  @Example
  void aMultiLineValueWithShortLinesIsMaskedWhereItCanBe_andSaysSo() {
    String pem =
        "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC\n9AIxA==\n-----END KEY-----\n";
    OutputMasker m = new OutputMasker(List.of(pem));
    assertThat(OutputMasker.tooShort(pem)).isFalse();
    assertThat(OutputMasker.partlyUnmasked(pem)).isTrue();
    assertThat(OutputMasker.tooShort("  short \n tiny ")).isTrue();
    assertThat(m.mask("key:\n" + pem))
        .isEqualTo("key:\n[masked]\n[masked]\n[masked]\n9AIxA==\n[masked]\n");
  }

  @Property(tries = 300)
  void everyFormIsMaskedUnderAnySplitOfTheOutput(
      @ForAll @StringLength(min = 8, max = 40) String raw,
      @ForAll @IntRange(min = 0, max = 10) int form,
      @ForAll @IntRange(min = 0, max = 2) int shift,
      @ForAll @IntRange(min = 1, max = 80) int wrap,
      @ForAll @StringLength(max = 30) String before,
      @ForAll @StringLength(max = 30) String after,
      @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 100_000) Integer> cuts) {
    String secret = oneLine(raw);
    byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
    byte[] shifted = new byte[shift + utf8.length + 1];
    System.arraycopy(utf8, 0, shifted, shift, utf8.length);
    String printed =
        switch (form) {
          case 0 -> secret;
          case 1 -> asciiCase(secret, true);
          case 2 -> asciiCase(secret, false);
          case 3 -> HexFormat.of().formatHex(utf8);
          case 4 -> HexFormat.of().withUpperCase().formatHex(utf8);
          case 5 -> jsonUnicode(secret);
          case 6 -> URLEncoder.encode(secret, StandardCharsets.UTF_8);
          case 7 -> secret.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/");
          case 8 -> Base64.getEncoder().encodeToString(shifted);
          case 9 -> Base64.getUrlEncoder().withoutPadding().encodeToString(shifted);
          default -> wrapped(Base64.getEncoder().encodeToString(shifted), wrap);
        };
    byte[] text = (before + printed + after).getBytes(StandardCharsets.UTF_8);
    OutputMasker m = new OutputMasker(List.of(secret));
    String whole = new String(m.mask(text, text.length), StandardCharsets.ISO_8859_1);
    String streamed = streamed(m, text, cuts);
    assertThat(streamed).isEqualTo(whole);
    String unwrapped = streamed.replace("\r", "").replace("\n", "");
    if (form < 8) {
      assertThat(unwrapped)
          .doesNotContain(
              new String(printed.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    } else {
      String core =
          Base64.getEncoder()
              .encodeToString(shifted)
              .substring((8 * shift + 5) / 6, (8 * (shift + utf8.length)) / 6);
      assertThat(unwrapped)
          .doesNotContain(core)
          .doesNotContain(core.replace('+', '-').replace('/', '_'));
    }
  }

  @Property(tries = 300)
  void ordinaryOutputPassesIntactAndInOrderUnderAnySplit(
      @ForAll @StringLength(min = 8, max = 40) @CharRange(from = 'G', to = 'Z') String secret,
      @ForAll @Size(max = 3000) List<Byte> output,
      @ForAll @Size(max = 20) List<@IntRange(min = 0, max = 3000) Integer> cuts) {
    byte[] text = new byte[output.size()];
    for (int i = 0; i < text.length; i++) {
      text[i] = output.get(i);
    }
    OutputMasker m = new OutputMasker(List.of(secret));
    assertThat(streamed(m, text, cuts)).isEqualTo(new String(text, StandardCharsets.ISO_8859_1));
  }

  /**
   * Feeds {@code text} to a stream in pieces cut at {@code cuts}, then flushes; returns all that
   * came out.
   */
  private static String streamed(OutputMasker m, byte[] text, List<Integer> cuts) {
    OutputMasker.Stream s = m.stream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int from = 0;
    for (int cut : new TreeSet<>(cuts.stream().map(c -> Math.min(c, text.length)).toList())) {
      byte[] piece = java.util.Arrays.copyOfRange(text, from, cut);
      out.writeBytes(s.accept(piece, piece.length));
      from = cut;
    }
    byte[] rest = java.util.Arrays.copyOfRange(text, from, text.length);
    out.writeBytes(s.accept(rest, rest.length));
    out.writeBytes(s.flush());
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static String asciiCase(String s, boolean upper) {
    StringBuilder b = new StringBuilder();
    s.chars()
        .forEach(
            c ->
                b.append(
                    c < 0x80
                        ? (char) (upper ? Character.toUpperCase(c) : Character.toLowerCase(c))
                        : (char) c));
    return b.toString();
  }

  private static String jsonUnicode(String s) {
    StringBuilder b = new StringBuilder();
    s.chars().forEach(c -> b.append(String.format("\\u%04X", c)));
    return b.toString();
  }

  private static String wrapped(String s, int width) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < s.length(); i += width) {
      lines.add(s.substring(i, Math.min(s.length(), i + width)));
    }
    return String.join(width % 2 == 0 ? "\r\n" : "\n", lines);
  }

  /**
   * Multi-line values are masked per line (lines under 8 characters are not), and lines without
   * their surrounding blanks; these properties use one line that strip() leaves as it is.
   */
  private static String oneLine(String s) {
    return "k" + s.replaceAll("\\R", "x") + "k";
  }

  private static String latin1(OutputMasker m, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return new String(m.mask(bytes, bytes.length), StandardCharsets.ISO_8859_1);
  }

  private static String utf8AsLatin1(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }
}
