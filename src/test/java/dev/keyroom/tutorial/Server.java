package dev.keyroom.tutorial;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tutorial's {@code keyroom serve} block, run by bash in the background as the reader runs it
 * in their first terminal. Everything it prints is kept in files under {@code logs} (for the leak
 * scan) and in memory, where {@link #await} waits for a line.
 */
final class Server {
  private final Process bash;
  private final Stream out;
  private final Stream err;

  private Server(Process bash, Path logs) throws IOException {
    this.bash = bash;
    this.out = new Stream(bash.getInputStream(), logs.resolve("stdout"));
    this.err = new Stream(bash.getErrorStream(), logs.resolve("stderr"));
  }

  static Server start(Path cwd, Map<String, String> env, String block, Path logs)
      throws IOException {
    Files.createDirectories(logs);
    ProcessBuilder pb =
        new ProcessBuilder("bash", "--noprofile", "--norc", "-e", "-c", block)
            .directory(cwd.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return new Server(pb.start(), logs);
  }

  /**
   * The first match of {@code pattern} in stdout (or stderr), waiting up to {@code timeout}; fails
   * when the server exits first.
   */
  Matcher await(boolean onStdout, Pattern pattern, Duration timeout) throws InterruptedException {
    Stream s = onStdout ? out : err;
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (s) {
      while (true) {
        Matcher m = pattern.matcher(s.text);
        if (m.find()) {
          return m;
        }
        long left = deadline - System.nanoTime();
        if (s.ended || left <= 0) {
          throw new AssertionError(
              "keyroom serve printed no line matching "
                  + pattern
                  + (s.ended ? " before it exited" : " within " + timeout)
                  + "\nstdout:\n"
                  + out.text()
                  + "\nstderr:\n"
                  + err.text());
        }
        TimeUnit.NANOSECONDS.timedWait(s, left);
      }
    }
  }

  /**
   * Stops the server as Ctrl-C would (SIGTERM to the shell and what it started) and returns
   * everything it printed, to its last line. (Signals go through ProcessHandle: Process.destroy
   * would also close the pipes and lose the shutdown lines.)
   */
  String stop() throws InterruptedException {
    List<ProcessHandle> all = new ArrayList<>(bash.descendants().toList());
    all.add(bash.toHandle());
    all.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        p.destroyForcibly();
      }
    }
    out.reader.join(10_000);
    err.reader.join(10_000);
    return out.text() + err.text();
  }

  /**
   * One output stream: copied line by line to a file and to memory; waiters are told of each line.
   */
  private static final class Stream {
    final StringBuilder text = new StringBuilder();
    final Thread reader;
    boolean ended;

    Stream(InputStream in, Path file) throws IOException {
      Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      reader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (w;
                        BufferedReader r =
                            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                      for (String line; (line = r.readLine()) != null; ) {
                        w.write(line + "\n");
                        w.flush();
                        synchronized (this) {
                          text.append(line).append('\n');
                          notifyAll();
                        }
                      }
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    } finally {
                      synchronized (this) {
                        ended = true;
                        notifyAll();
                      }
                    }
                  });
    }

    synchronized String text() {
      return text.toString();
    }
  }
}
