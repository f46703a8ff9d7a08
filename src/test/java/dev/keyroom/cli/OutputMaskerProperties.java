package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

class OutputMaskerProperties {

  @Property(tries = 300)
  void literalAndEncodedFormsAreMasked(@ForAll @StringLength(min = 8, max = 64) String raw,
      @ForAll @StringLength(max = 20) String before, @ForAll @StringLength(max = 20) String after) {
    String secret = oneLine(raw);
    OutputMasker m = new OutputMasker(List.of(secret));
    assertThat(latin1(m, before + secret + after)).doesNotContain(utf8AsLatin1(secret));
    String b64 = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
    assertThat(latin1(m, "x " + b64 + " y")).contains(OutputMasker.MASK);
    String url = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    assertThat(latin1(m, "u=" + url)).doesNotContain(url);
  }

  @Property(tries = 300)
  void base64OfTheSecretInsideLongerDataIsMaskedAtAnyAlignment(@ForAll @StringLength(min = 8, max = 40) String raw,
      @ForAll @StringLength(max = 7) String prefix) {
    String secret = oneLine(raw);
    OutputMasker m = new OutputMasker(List.of(secret));
    String b64 = Base64.getEncoder().encodeToString((prefix + secret + "\n").getBytes(StandardCharsets.UTF_8));
    assertThat(latin1(m, b64)).contains(OutputMasker.MASK);
  }

  @Property(tries = 100)
  void shortValuesAreLeftAlone(@ForAll @StringLength(min = 1, max = 7) String value) {
    OutputMasker m = new OutputMasker(List.of(value));
    assertThat(latin1(m, "a " + value + " b")).isEqualTo(utf8AsLatin1("a " + value + " b"));
  }

  @Property(tries = 50)
  void multiLineSecretsAreMaskedLineByLine(@ForAll @StringLength(min = 8, max = 30) String one,
      @ForAll @StringLength(min = 8, max = 30) String two) {
    String a = oneLine(one);
    String b = oneLine(two);
    OutputMasker m = new OutputMasker(List.of(a + "\n" + b));
    assertThat(latin1(m, "line: " + b + "\n")).doesNotContain(utf8AsLatin1(b));
  }

  /** Multi-line values are masked per line (lines under 8 characters are not); these properties use one line. */
  private static String oneLine(String s) {
    return s.replaceAll("\\R", "x");
  }

  private static String latin1(OutputMasker m, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return new String(m.mask(bytes, bytes.length), StandardCharsets.ISO_8859_1);
  }

  private static String utf8AsLatin1(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }
}
