package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.testing.CliProcess;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code keyroom git-credential} has no {@code --url} or {@code --session-token-file} flag, so its
 * errors never suggest one: they name the environment variables {@code keyroom run} sets.
 */
class GitCredentialNamesOnlyWhatItAcceptsTest {
  private static final byte[] REQUEST =
      "protocol=https\nhost=example.com\n\n".getBytes(StandardCharsets.UTF_8);

  @Test
  void withoutTheSessionsEnvironmentItNamesTheVariables_notFlags() {
    CliProcess.Result noUrl = CliProcess.run(Map.of(), REQUEST, "git-credential", "get");
    assertThat(noUrl.exitCode()).isEqualTo(Main.USAGE);
    assertThat(noUrl.stderr())
        .contains("KEYROOM_URL")
        .contains("keyroom run")
        .doesNotContain("--url");
    assertThat(noUrl.stdout()).isEmpty();

    CliProcess.Result noToken =
        CliProcess.run(
            Map.of("KEYROOM_URL", "http://127.0.0.1:9"), REQUEST, "git-credential", "get");
    assertThat(noToken.exitCode()).isEqualTo(Main.USAGE);
    assertThat(noToken.stderr())
        .contains("KEYROOM_SESSION_TOKEN")
        .contains("keyroom run")
        .doesNotContain("--session-token-file");
  }

  @Test
  void anUnknownOptionIsNotTakenForAValue() {
    CliProcess.Result r =
        CliProcess.run(Map.of(), REQUEST, "git-credential", "--url", "http://x", "get");
    assertThat(r.exitCode()).isEqualTo(Main.USAGE);
    assertThat(r.stderr()).contains("unknown option --url").doesNotContain("--value-file");
  }
}
