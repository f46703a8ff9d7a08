package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.testing.LauncherCheckout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ./keyroom} launcher script runs an admin command without the JVM's {@code
 * WARNING:} lines (sqlite-jdbc loading its native library, protobuf using {@code sun.misc.Unsafe}).
 * The script runs in a copy of the checkout's layout whose {@code target/keyroom.jar} is a
 * manifest-only jar over the test class path, so nothing is built.
 */
class LauncherPrintsNoJvmWarningsTest {
  @TempDir Path dir;

  @Test
  void anAdminCommandThroughTheLauncherHasNoWarningOnStderr() throws Exception {
    LauncherCheckout checkout = LauncherCheckout.in(dir).manifestOnlyJar();
    Path data = dir.resolve("data");
    LauncherCheckout.Run created =
        checkout.run(
            "admin", "create-tenant", "acme", "--create-store", "--data-dir", data.toString());
    assertThat(created.exit()).as(created.stderr()).isZero();
    LauncherCheckout.Run verify =
        checkout.run("admin", "verify-audit", "--data-dir", data.toString());
    assertThat(verify.exit()).as(verify.stderr()).isZero();
    assertThat(verify.stdout()).contains("acme: intact");
    assertThat(created.stderr() + verify.stderr())
        .doesNotContain("WARNING")
        .doesNotContain("warning");
  }
}
