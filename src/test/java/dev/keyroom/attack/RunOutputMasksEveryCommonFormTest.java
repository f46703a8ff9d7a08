package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.cli.LauncherFixture;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.TestKeyroom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code keyroom run} (its own JVM) runs a real child that prints an injected value in
 * every form programs commonly print — split over two writes with a pause, JSON and {@code \\u}
 * escaped, hex in both cases, upper and lower case, base64 (standard, URL-safe, every alignment,
 * wrapped at 20 and 76 columns), URL-encoded, straddling 64 KiB. None reaches the forwarded output,
 * and every ordinary byte arrives intact and in order.
 */
class RunOutputMasksEveryCommonFormTest {
  static final String VALUE = "hook/\"canary\" Zx9+Q=w@e r=t~42";
  static final String MASK = "[masked]";

  @TempDir Path dir;

  @Test
  void noFormOfTheValueReachesTheOutput_andOrdinaryOutputArrivesIntactInOrder() {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      LauncherFixture f = new LauncherFixture(k);
      String hook = f.secret("env", "DEPLOY_HOOK", VALUE);
      String[] session =
          f.session(
              f.workroom(
                  "{\"name\":\"W\",\"tools\":[{\"kind\":\"env\",\"secretId\":\"" + hook + "\"}]}"));

      CliProcess.Result r =
          CliProcess.run(
              Map.of("KEYROOM_SESSION_TOKEN", session[1]),
              null,
              "run",
              "--url",
              k.url(),
              "--",
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp",
              System.getProperty("java.class.path"),
              "-XX:TieredStopAtLevel=1",
              FormPrinter.class.getName(),
              "DEPLOY_HOOK");

      assertThat(r.exitCode()).as(r.stderr()).isZero();
      String out = r.stdout();
      for (String form : FormPrinter.forms(VALUE)) {
        assertThat(out).as("form %s", form).doesNotContain(form);
      }
      String unwrapped = out.replace("\r", "").replace("\n", "");
      for (String core : wrappedCores(VALUE.getBytes(StandardCharsets.UTF_8))) {
        assertThat(unwrapped).as("wrapped form %s", core).doesNotContain(core);
      }
      assertThat(out).contains("split: " + MASK + " :end\n");
      String big = FormPrinter.bigFiller(VALUE);
      assertThat(out).contains(big + MASK + big + "\n");
      int forms = FormPrinter.forms(VALUE).size();
      int lines = 2 + forms + 6 + 1 + 1;
      assertThat(out.lines().filter(l -> l.startsWith("ordinary ")))
          .containsExactlyElementsOf(
              IntStream.range(0, lines).mapToObj(FormPrinter::ordinary).toList());
      assertThat(out).endsWith("last " + lines + "\n");
      assertThat(r.stderr()).doesNotContain(VALUE).doesNotContain("not masking");
    }
  }

  /** The characters of each wrapped encoding the child prints that only the value determines. */
  static List<String> wrappedCores(byte[] utf8) {
    List<String> cores = new ArrayList<>();
    for (int shift = 0; shift < 3; shift++) {
      cores.add(
          core(
              Base64.getEncoder().encodeToString(FormPrinter.shifted(utf8, shift)),
              shift,
              utf8.length));
      cores.add(
          core(
              Base64.getEncoder()
                  .encodeToString(FormPrinter.shifted(FormPrinter.pad(utf8, 60), shift)),
              shift + 60,
              utf8.length));
    }
    cores.add(HexFormat.of().formatHex(utf8));
    return cores;
  }

  private static String core(String base64, int offset, int length) {
    return base64.substring((8 * offset + 5) / 6, (8 * (offset + length)) / 6);
  }
}
