package dev.keyroom.web;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * A browser test that cannot run does not pass: without Chromium it fails naming the install
 * command, unless skipped explicitly (then it is reported as skipped, with the reason).
 */
class BrowserTestsFailWithoutChromiumTest {
  private static final Path NO_CHROMIUM = Path.of("/nonexistent/chromium");

  @Test
  void withoutChromiumTheBrowserTestsFail_namingTheInstallCommand() {
    assertThatThrownBy(() -> Browser.requireChromium(NO_CHROMIUM, false))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("apt-get install -y chromium")
        .hasMessageContaining("-Dkeyroom.skipBrowserTests=true")
        .hasMessageContaining(NO_CHROMIUM.toString());
  }

  @Test
  void withTheOptOutTheyAreSkippedLoudly() {
    assertThatThrownBy(() -> Browser.requireChromium(NO_CHROMIUM, true))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("SKIPPED browser tests")
        .hasMessageContaining("apt-get install -y chromium");
  }

  @Test
  void withChromiumPresentNothingHappens() {
    assertThatCode(() -> Browser.requireChromium(Path.of("/bin/sh"), false))
        .doesNotThrowAnyException();
  }
}
