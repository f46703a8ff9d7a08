package dev.keyroom.testing;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code keyroom} command in a child JVM with the test classpath, a chosen
 * environment and bytes on stdin — the way an operator runs it. The child never reads the real
 * home's configuration: unless the test names one with {@code KEYROOM_CONFIG}, it gets a path that
 * does not exist.
 */
public final class CliProcess {
  private static final Path NO_CONFIG =
      Path.of(
          System.getProperty("java.io.tmpdir"),
          "keyroom-test-no-config-" + ProcessHandle.current().pid(),
          "config.json");

  private CliProcess() {}

  /** What the command did. */
  public record Result(int exitCode, String stdout, String stderr) {}

  public static Result run(Map<String, String> env, byte[] stdin, String... args) {
    ProcessBuilder pb = builder(env, args);
    try {
      Process p = pb.start();
      CompletableFuture<byte[]> out =
          CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      CompletableFuture<byte[]> err =
          CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      try (OutputStream in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin);
        }
      }
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "keyroom " + String.join(" ", args) + " did not finish within 120 s");
      }
      return new Result(
          p.exitValue(),
          new String(out.join(), StandardCharsets.UTF_8),
          new String(err.join(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Independent commands run side by side (each is its own JVM), results in the order given. */
  @SafeVarargs
  public static List<Result> together(java.util.function.Supplier<Result>... runs) {
    List<CompletableFuture<Result>> f = new ArrayList<>();
    try (java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (java.util.function.Supplier<Result> run : runs) {
        f.add(CompletableFuture.supplyAsync(run, pool));
      }
      return f.stream().map(CompletableFuture::join).toList();
    }
  }

  /**
   * Starts the command without waiting (stdin empty, stderr to {@code errFile}, stdout discarded):
   * for tests that signal it. The caller stops it.
   */
  public static Process start(Map<String, String> env, Path errFile, String... args)
      throws IOException {
    ProcessBuilder pb = builder(env, args);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(errFile.toFile());
    return pb.start();
  }

  /**
   * Starts the command without waiting (stdin empty, stdout discarded) and reads its stderr as it
   * comes, so that a test waits for a line (the port a server listens on) instead of polling a
   * file. The caller stops it.
   */
  public static Watched startWatched(Map<String, String> env, String... args) throws IOException {
    ProcessBuilder pb = builder(env, args);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    return new Watched(pb.start());
  }

  /** A running command whose stderr lines are collected as they are written. */
  public static final class Watched {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private boolean ended;

    /** Watches a process started elsewhere (the launcher script, say); its stdout is not read. */
    public static Watched of(Process process) {
      return new Watched(process);
    }

    private Watched(Process process) {
      this.process = process;
      this.reader =
          Thread.ofPlatform()
              .daemon(true)
              .name("stderr-" + process.pid())
              .start(
                  () -> {
                    try (java.io.BufferedReader in =
                        new java.io.BufferedReader(
                            new java.io.InputStreamReader(
                                process.getErrorStream(), StandardCharsets.UTF_8))) {
                      for (String line = in.readLine(); line != null; line = in.readLine()) {
                        synchronized (lines) {
                          lines.add(line);
                          lines.notifyAll();
                        }
                      }
                    } catch (IOException e) {
                      // the process is gone; what was read is kept
                    } finally {
                      synchronized (lines) {
                        ended = true;
                        lines.notifyAll();
                      }
                    }
                  });
    }

    public Process process() {
      return process;
    }

    /**
     * Waits at most {@code timeout} for a stderr line matching {@code pattern}; returns its first
     * group (or the whole match when the pattern has none).
     */
    public String awaitLine(java.util.regex.Pattern pattern, java.time.Duration timeout)
        throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (lines) {
        int next = 0;
        while (true) {
          for (; next < lines.size(); next++) {
            java.util.regex.Matcher m = pattern.matcher(lines.get(next));
            if (m.find()) {
              return m.groupCount() > 0 ? m.group(1) : m.group();
            }
          }
          long left = deadline - System.nanoTime();
          if (ended || left <= 0) {
            throw new IllegalStateException(
                "no stderr line matching "
                    + pattern
                    + (ended ? " before the process closed stderr" : " within " + timeout)
                    + "; stderr:\n"
                    + String.join("\n", lines));
          }
          TimeUnit.NANOSECONDS.timedWait(lines, left);
        }
      }
    }

    /** Every stderr line, once the process has ended and its stderr is read to the end. */
    public List<String> stderrAfterExit(java.time.Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the process did not end within " + timeout);
      }
      reader.join(timeout);
      synchronized (lines) {
        if (!ended) {
          throw new IllegalStateException("stderr was not closed within " + timeout);
        }
        return List.copyOf(lines);
      }
    }
  }

  private static ProcessBuilder builder(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xshare:auto");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("dev.keyroom.cli.Main");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("KEYROOM_"));
    pb.environment().put("KEYROOM_CONFIG", NO_CONFIG.toString());
    pb.environment().putAll(env);
    return pb;
  }

  private static byte[] readAll(InputStream in) {
    try (in;
        ByteArrayOutputStream b = new ByteArrayOutputStream()) {
      in.transferTo(b);
      return b.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
