package dev.keyroom.tutorial;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The reader's terminal: one bash process that runs the tutorial's blocks one after another, so
 * what a block exports or where it {@code cd}s holds for the next, as in a real terminal. Each
 * block is sourced from a file with its own stdin, stdout and stderr files, under {@code set -e -o
 * pipefail}: a failing command ends the shell, and the test reports the block.
 */
final class ReaderShell implements AutoCloseable {
  /** What one block did. */
  record Result(int exitCode, String stdout, String stderr, Path cwd) {}

  private final Path work;
  private final Process bash;
  private final Writer commands;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private Path cwd;
  private int count;

  ReaderShell(Path work, Path cwd, Map<String, String> env) throws IOException {
    this.work = Files.createDirectories(work);
    this.cwd = cwd;
    ProcessBuilder pb =
        new ProcessBuilder("bash", "--noprofile", "--norc", "-s")
            .directory(cwd.toFile())
            .redirectError(work.resolve("shell.err").toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    bash = pb.start();
    commands = new java.io.OutputStreamWriter(bash.getOutputStream(), StandardCharsets.UTF_8);
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(bash.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("read failed: " + e.getClass().getName());
              }
              lines.add("");
            });
    send("set -e -o pipefail");
  }

  Path cwd() {
    return cwd;
  }

  /**
   * Runs {@code script} in the shell with {@code stdin} (may be null: empty) and waits up to {@code
   * timeout}. A script expected to fail ({@code mayFail}) runs without {@code set -e}, and the
   * shell carries on; otherwise a failing command ends the shell and its exit code is the result's.
   */
  Result run(String script, byte[] stdin, boolean mayFail, Duration timeout)
      throws IOException, InterruptedException {
    int n = ++count;
    Path file = work.resolve(n + ".sh");
    Path in = work.resolve(n + ".in");
    Path out = work.resolve(n + ".out");
    Path err = work.resolve(n + ".err");
    Files.writeString(file, script);
    Files.write(in, stdin == null ? new byte[0] : stdin);
    String source =
        ". " + quote(file) + " < " + quote(in) + " > " + quote(out) + " 2> " + quote(err);
    send(
        (mayFail ? "set +e; " + source + "; tutorial_rc=$?; set -e" : source + "; tutorial_rc=0")
            + "; rm -f "
            + quote(in)
            + "; printf 'block-done %s %s\\n' \"$tutorial_rc\" \"$PWD\"");
    String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    Files.deleteIfExists(in);
    int exit;
    if (line == null) {
      bash.destroyForcibly();
      throw new AssertionError("a block did not finish within " + timeout + "\n" + show(out, err));
    } else if (line.startsWith("block-done ")) {
      String[] parts = line.split(" ", 3);
      exit = Integer.parseInt(parts[1]);
      cwd = Path.of(parts[2]);
    } else {
      exit = bash.waitFor(10, TimeUnit.SECONDS) ? bash.exitValue() : -1;
    }
    return new Result(exit, read(out), read(err) + read(work.resolve("shell.err")), cwd);
  }

  private void send(String line) throws IOException {
    commands.write(line + "\n");
    commands.flush();
  }

  private static String show(Path out, Path err) throws IOException {
    return "stdout:\n" + read(out) + "\nstderr:\n" + read(err);
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }

  private static String quote(Path p) {
    return "'" + p.toString().replace("'", "'\\''") + "'";
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      commands.close();
    } catch (IOException e) {
      // the shell already exited (a block failed); nothing left to tell it
      bash.destroy();
    }
    if (!bash.waitFor(10, TimeUnit.SECONDS)) {
      bash.destroyForcibly();
    }
  }
}
