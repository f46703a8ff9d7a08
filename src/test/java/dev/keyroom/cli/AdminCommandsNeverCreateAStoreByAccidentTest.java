package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.testing.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyroom admin …} as a child process: a mistyped or missing data directory is refused with
 * its path and the way to create a store, instead of a fresh empty store (with a fresh master key)
 * appearing there.
 */
class AdminCommandsNeverCreateAStoreByAccidentTest {
  @TempDir Path dir;

  @Test
  void aMissingDataDirectoryIsRefused_namingThePathAndHowToCreateIt() {
    Path missing = dir.resolve("typo");
    for (String[] command :
        new String[][] {
          {"admin", "verify-audit"}, {"admin", "create-tenant", "acme"},
          {"admin", "create-service-token", "--tenant", "acme"}, {"admin", "rotate-master-key"}
        }) {
      String[] args = concat(command, "--data-dir", missing.toString());
      CliProcess.Result r = CliProcess.run(Map.of(), null, args);
      assertThat(r.exitCode())
          .as(String.join(" ", command) + ": " + r.stderr())
          .isEqualTo(Main.FAILED);
      assertThat(r.stderr())
          .contains("no Keyroom store at " + missing.resolve("keyroom.db"))
          .contains("keyroom serve")
          .contains("--create-store");
      assertThat(missing).doesNotExist();
    }
  }

  @Test
  void anExistingEmptyDirectoryWithoutTheDatabaseIsRefusedToo() throws Exception {
    Files.createDirectories(dir.resolve("empty"));
    CliProcess.Result r =
        CliProcess.run(
            Map.of(), null, "admin", "verify-audit", "--data-dir", dir.resolve("empty").toString());
    assertThat(r.exitCode()).isEqualTo(Main.FAILED);
    assertThat(r.stderr())
        .contains("no Keyroom store at " + dir.resolve("empty").resolve("keyroom.db"));
    try (var files = Files.list(dir.resolve("empty"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void createTenantWithCreateStoreMakesOne_andLaterCommandsUseIt() {
    Path data = dir.resolve("data");
    CliProcess.Result created =
        CliProcess.run(
            Map.of(),
            null,
            "admin",
            "create-tenant",
            "acme",
            "--create-store",
            "--data-dir",
            data.toString());
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    assertThat(created.stdout()).contains("tenant acme");
    assertThat(created.stderr()).contains("created a new store at " + data.resolve("keyroom.db"));
    assertThat(data.resolve("keyroom.db")).exists();
    assertThat(data.resolve("master-keyset.json")).exists();

    CliProcess.Result verify =
        CliProcess.run(Map.of(), null, "admin", "verify-audit", "--data-dir", data.toString());
    assertThat(verify.exitCode()).as(verify.stderr()).isZero();
    assertThat(verify.stdout()).contains("acme: intact");
  }

  @Test
  void theDataDirectoryFromTheEnvironmentIsCheckedTheSameWay() {
    Path missing = dir.resolve("from-env");
    CliProcess.Result r =
        CliProcess.run(
            Map.of("KEYROOM_DATA_DIR", missing.toString()), null, "admin", "verify-audit");
    assertThat(r.exitCode()).isEqualTo(Main.FAILED);
    assertThat(r.stderr()).contains("no Keyroom store at " + missing.resolve("keyroom.db"));
    assertThat(missing).doesNotExist();
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
