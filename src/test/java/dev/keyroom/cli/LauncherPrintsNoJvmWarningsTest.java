package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ./keyroom} launcher script runs an admin command without the JVM's
 * {@code WARNING:} lines (sqlite-jdbc loading its native library, protobuf using
 * {@code sun.misc.Unsafe}). The script runs in a copy of the checkout's layout whose
 * {@code target/keyroom.jar} is a manifest-only jar over the test class path, so nothing is built.
 */
class LauncherPrintsNoJvmWarningsTest {
  @TempDir Path dir;

  @Test
  void anAdminCommandThroughTheLauncherHasNoWarningOnStderr() throws Exception {
    Path checkout = Path.of("").toAbsolutePath();
    Files.createDirectories(dir.resolve(".mvn"));
    Files.copy(checkout.resolve("keyroom"), dir.resolve("keyroom"));
    Files.copy(checkout.resolve(".mvn/find-jdk.sh"), dir.resolve(".mvn/find-jdk.sh"));
    Files.writeString(dir.resolve("pom.xml"), "<project/>");
    Files.setLastModifiedTime(dir.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(3600)));
    Files.createDirectories(dir.resolve("target"));
    writeClassPathJar(dir.resolve("target/keyroom.jar"));

    Path data = dir.resolve("data");
    Run created = launcher("admin", "create-tenant", "acme", "--create-store", "--data-dir", data.toString());
    assertThat(created.exit).as(created.stderr).isZero();
    Run verify = launcher("admin", "verify-audit", "--data-dir", data.toString());
    assertThat(verify.exit).as(verify.stderr).isZero();
    assertThat(verify.stdout).contains("acme: intact");
    assertThat(created.stderr + verify.stderr).doesNotContain("WARNING");
  }

  private record Run(int exit, String stdout, String stderr) {}

  private Run launcher(String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 2];
    cmd[0] = "sh";
    cmd[1] = dir.resolve("keyroom").toString();
    System.arraycopy(args, 0, cmd, 2, args.length);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out").toFile())
        .redirectError(dir.resolve("err").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("KEYROOM_"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("./keyroom " + String.join(" ", args) + " did not finish within 120 s");
    }
    return new Run(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
  }

  /** A jar whose manifest starts dev.keyroom.cli.Main with the test class path (absolute file: URLs). */
  private static void writeClassPathJar(Path jar) throws IOException {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.keyroom.cli.Main");
    m.getMainAttributes().put(Attributes.Name.CLASS_PATH, Arrays.stream(System.getProperty("java.class.path")
        .split(java.io.File.pathSeparator)).map(e -> Path.of(e).toUri().toString()).collect(Collectors.joining(" ")));
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
      j.flush();
    }
  }
}
