package dev.keyroom.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A copy of the checkout's launcher layout ({@code keyroom}, {@code .mvn/}, a {@code pom.xml} older
 * than the jar, no sources) whose {@code target/keyroom.jar} runs this build's classes, so that the
 * real {@code ./keyroom} script runs there as in a clone, without building anything.
 */
public final class LauncherCheckout {
  /** What one run of the launcher did. */
  public record Run(int exit, String stdout, String stderr) {}

  public final Path dir;

  private LauncherCheckout(Path dir) {
    this.dir = dir;
  }

  /** The layout; {@link #manifestOnlyJar} or {@link #writeJar} puts the jar in. */
  public static LauncherCheckout in(Path dir) throws IOException {
    Path checkout = Path.of("").toAbsolutePath();
    Files.createDirectories(dir);
    Files.copy(
        checkout.resolve("keyroom"), dir.resolve("keyroom"), StandardCopyOption.COPY_ATTRIBUTES);
    try (Stream<Path> files = Files.walk(checkout.resolve(".mvn"))) {
      for (Path p : files.toList()) {
        Path target = dir.resolve(checkout.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    Files.writeString(dir.resolve("pom.xml"), "<project/>");
    Files.setLastModifiedTime(
        dir.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(3600)));
    Files.createDirectories(dir.resolve("target"));
    return new LauncherCheckout(dir);
  }

  public Path jar() {
    return dir.resolve("target/keyroom.jar");
  }

  /**
   * A jar whose manifest starts dev.keyroom.cli.Main with the test class path as it is (directories
   * included).
   */
  public LauncherCheckout manifestOnlyJar() throws IOException {
    write(
        jar(),
        Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator)),
        null);
    return this;
  }

  /**
   * A jar holding this build's main classes, with the dependency jars on its manifest class path:
   * the shape of the real jar for the JVM's start-up cache, which takes jars only. {@code stamp} is
   * written into it as a resource, so that two builds differ in content as well as in time.
   */
  public LauncherCheckout writeJar(String stamp) throws IOException {
    List<String> dependencies =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> e.endsWith(".jar"))
            .toList();
    write(jar(), dependencies, stamp);
    return this;
  }

  private static void write(Path jar, List<String> classPath, String stamp) throws IOException {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.keyroom.cli.Main");
    m.getMainAttributes().put(new Attributes.Name("Enable-Native-Access"), "ALL-UNNAMED");
    m.getMainAttributes()
        .put(
            Attributes.Name.CLASS_PATH,
            classPath.stream()
                .map(e -> Path.of(e).toUri().toString())
                .collect(Collectors.joining(" ")));
    Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp);
        JarOutputStream j = new JarOutputStream(out, m)) {
      if (stamp != null) {
        Path classes = mainClasses();
        try (Stream<Path> files = Files.walk(classes)) {
          // directories too, as a built jar has them: a class loader finds a resource directory
          // (Flyway's db/sqlite) only by its entry
          for (Path f : files.filter(f -> !f.equals(classes)).sorted().toList()) {
            String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
            if (Files.isDirectory(f)) {
              j.putNextEntry(new JarEntry(name + "/"));
            } else {
              j.putNextEntry(new JarEntry(name));
              Files.copy(f, j);
            }
            j.closeEntry();
          }
        }
        j.putNextEntry(new JarEntry("build-stamp.txt"));
        j.write(stamp.getBytes(StandardCharsets.UTF_8));
        j.closeEntry();
      }
    }
    Files.move(tmp, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static Path mainClasses() {
    try {
      return Path.of(
          dev.keyroom.app.Keyroom.class
              .getProtectionDomain()
              .getCodeSource()
              .getLocation()
              .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code sh keyroom args…} with no KEYROOM_* variable of this process, plus {@code env}. */
  public Run run(Map<String, String> env, String stdin, String... args) {
    List<String> cmd = new ArrayList<>(List.of("sh", dir.resolve("keyroom").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(dir.resolve("out").toFile())
            .redirectError(dir.resolve("err").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("KEYROOM_"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("KEYROOM_CONFIG", dir.resolve("no-config.json").toString());
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "./keyroom " + String.join(" ", args) + " did not finish within 180 s");
      }
      return new Run(
          p.exitValue(),
          Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
          Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts {@code sh keyroom args…} without waiting (as {@link #run}: no KEYROOM_* variable of this
   * process, plus {@code env}; stdout discarded), its stderr watched. The caller stops it.
   */
  public CliProcess.Watched start(Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("sh", dir.resolve("keyroom").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().keySet().removeIf(k -> k.startsWith("KEYROOM_"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("KEYROOM_CONFIG", dir.resolve("no-config.json").toString());
    pb.environment().putAll(env);
    return CliProcess.Watched.of(pb.start());
  }

  public Run run(String... args) {
    return run(Map.of(), "", args);
  }
}
