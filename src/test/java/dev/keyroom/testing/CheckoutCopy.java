package dev.keyroom.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The layout of a checkout in a temporary directory, so the real {@code ./keyroom} script runs
 * there as it runs in a clone: the script and {@code .mvn/} are copied, {@code pom.xml} is an hour
 * old, and {@code target/keyroom.jar} is a manifest-only jar over the test class path — up to date,
 * so the script builds nothing and runs this build's classes.
 */
public final class CheckoutCopy {
  private CheckoutCopy() {}

  /** Lays the checkout out in {@code dir} and returns it. */
  public static Path create(Path dir) throws IOException {
    Path checkout = Path.of("").toAbsolutePath();
    Files.createDirectories(dir);
    Files.copy(
        checkout.resolve("keyroom"), dir.resolve("keyroom"), StandardCopyOption.COPY_ATTRIBUTES);
    copyTree(checkout.resolve(".mvn"), dir.resolve(".mvn"));
    Files.writeString(dir.resolve("pom.xml"), "<project/>");
    Files.setLastModifiedTime(
        dir.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(3600)));
    Files.createDirectories(dir.resolve("target"));
    writeClassPathJar(dir.resolve("target/keyroom.jar"));
    return dir;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /**
   * A jar whose manifest starts dev.keyroom.cli.Main with the test class path (absolute file:
   * URLs).
   */
  private static void writeClassPathJar(Path jar) throws IOException {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.keyroom.cli.Main");
    m.getMainAttributes().put(new Attributes.Name("Enable-Native-Access"), "ALL-UNNAMED");
    m.getMainAttributes()
        .put(
            Attributes.Name.CLASS_PATH,
            Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(e -> Path.of(e).toUri().toString())
                .collect(Collectors.joining(" ")));
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out, m)) {
      j.flush();
    }
  }
}
