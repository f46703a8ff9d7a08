package dev.keyroom.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code keyroom run}: fetches the session environment, starts the command with it (the values
 * live only in the child's environment), forwards its output with every injected value masked,
 * and when the session ends or a credential it holds is revoked, terminates the child's whole
 * process group (TERM, then KILL after a grace period).
 */
final class Launcher {
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  /** How the launcher was asked to run. {@code extraEnv} is applied before the session's variables. */
  record Options(String url, String token, String sessionId, List<String> command, boolean endSessionOnExit,
      Duration grace, Map<String, String> extraEnv) {
    @Override
    public String toString() {
      return "Options[url=" + url + ", command=" + command + ", token=[REDACTED]]";
    }
  }

  /** Why the child was stopped. */
  enum Stop {
    ENDED(Main.SESSION_ENDED),
    REVOKED(Main.CREDENTIAL_REVOKED),
    RESTART(0);

    final int exitCode;

    Stop(int exitCode) {
      this.exitCode = exitCode;
    }
  }

  private final Options options;
  private final OutputStream out;
  private final PrintStream err;
  private final SessionClient client;
  private final AtomicReference<CompletableFuture<Stop>> stop = new AtomicReference<>(new CompletableFuture<>());
  private volatile boolean done;

  Launcher(Options options, OutputStream out, PrintStream err) {
    this.options = options;
    this.out = out;
    this.err = err;
    this.client = new SessionClient(options.url(), options.token(), options.sessionId());
  }

  /** Runs the command to completion; returns the launcher's exit code. */
  int run() throws IOException, InterruptedException {
    client.sessionId();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread follower = Thread.ofVirtual().name("keyroom-session-events").start(() -> followEvents(ready));
    try {
      ready.get(15, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      if (stop.get().isDone()) {
        err.println("keyroom: the session is not live: " + (e.getCause() == null ? "timeout" : e.getCause().getMessage()));
        return Main.SESSION_ENDED;
      }
      err.println("keyroom: cannot follow the session's events; revocation could not reach this run. Giving up.");
      return Main.UNREACHABLE;
    }
    try {
      while (true) {
        List<SessionClient.Variable> env = client.environment();
        Run run = start(env);
        CompletableFuture<Stop> stopped = stop.get();
        Object first = CompletableFuture.anyOf(run.exit, stopped).get();
        if (first instanceof Integer code && !stopped.isDone()) {
          run.drain();
          if (options.endSessionOnExit()) {
            client.end();
          }
          return code;
        }
        Stop why = stopped.get();
        terminate(run.process);
        run.drain();
        if (why != Stop.RESTART) {
          err.println("keyroom: " + (why == Stop.ENDED ? "the session ended" : "a credential of this session was revoked")
              + "; the command was stopped");
          return why.exitCode;
        }
        err.println("keyroom: a credential of this session changed; restarting the command with a fresh environment");
        stop.set(new CompletableFuture<>());
      }
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("launcher failed: " + e.getCause().getClass().getSimpleName());
    } finally {
      done = true;
      follower.interrupt();
    }
  }

  /** A started child and its output pumps. */
  private record Run(Process process, CompletableFuture<Integer> exit, List<Thread> pumps) {
    void drain() throws InterruptedException {
      for (Thread t : pumps) {
        t.join(2000);
      }
    }
  }

  private Run start(List<SessionClient.Variable> env) throws IOException {
    List<String> argv = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      argv.add(SETSID.toString()); // the child leads a new process group: one signal reaches all it starts
    }
    argv.addAll(options.command());
    ProcessBuilder pb = new ProcessBuilder(argv);
    Map<String, String> childEnv = pb.environment();
    childEnv.putAll(options.extraEnv());
    List<String> secrets = new ArrayList<>();
    TreeSet<String> shortOnes = new TreeSet<>();
    for (SessionClient.Variable v : env) {
      childEnv.put(v.name(), v.value());
      if (v.secret()) {
        if (OutputMasker.tooShort(v.value())) {
          shortOnes.add(v.name());
        } else {
          secrets.add(v.value());
        }
      }
    }
    if (!shortOnes.isEmpty()) {
      err.println("keyroom: warning: not masking " + String.join(", ", shortOnes) + " in output (values under "
          + OutputMasker.MIN_LENGTH + " characters would reveal themselves by where the mask appears)");
    }
    pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    OutputMasker masker = new OutputMasker(secrets);
    List<Thread> pumps = List.of(
        Thread.ofPlatform().daemon().name("keyroom-stdout").start(() -> pump(p.getInputStream(), out, masker)),
        Thread.ofPlatform().daemon().name("keyroom-stderr").start(() -> pump(p.getErrorStream(), err, masker)));
    return new Run(p, p.onExit().thenApply(Process::exitValue), pumps);
  }

  /** Forwards output line by line, masked; a partial line is forwarded when the child pauses. */
  private static void pump(InputStream in, OutputStream to, OutputMasker masker) {
    byte[] buf = new byte[8192];
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          line.write(buf[i]);
          if (buf[i] == '\n' || line.size() >= 65536) {
            emit(line, to, masker);
          }
        }
        if (line.size() > 0 && in.available() == 0) {
          emit(line, to, masker);
        }
      }
      if (line.size() > 0) {
        emit(line, to, masker);
      }
    } catch (IOException e) {
      // the child closed its end (killed); nothing more to forward
      line.reset();
    }
  }

  private static void emit(java.io.ByteArrayOutputStream line, OutputStream to, OutputMasker masker) throws IOException {
    byte[] bytes = line.toByteArray();
    line.reset();
    synchronized (to) {
      to.write(masker.mask(bytes, bytes.length));
      to.flush();
    }
  }

  /** TERM to the child's process group, then KILL to whatever is left after the grace period. */
  void terminate(Process p) throws InterruptedException {
    List<ProcessHandle> family = new ArrayList<>(p.descendants().toList());
    family.add(p.toHandle());
    signalGroup(p.pid(), "TERM");
    family.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + options.grace().toNanos();
    while (System.nanoTime() < deadline && family.stream().anyMatch(Launcher::running)) {
      Thread.sleep(10);
    }
    if (family.stream().anyMatch(Launcher::running)) {
      signalGroup(p.pid(), "KILL");
      family.forEach(ProcessHandle::destroyForcibly);
      long killDeadline = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < killDeadline && family.stream().anyMatch(Launcher::running)) {
        Thread.sleep(10);
      }
    }
    p.waitFor(5, TimeUnit.SECONDS);
  }

  /**
   * True while the process still executes. An exited child whose parent died first stays a zombie
   * until the system's init reaps it (in some containers that takes a second); it runs nothing.
   */
  static boolean running(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
      int close = stat.lastIndexOf(')');
      return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
    } catch (IOException | RuntimeException e) {
      return !Files.isDirectory(Path.of("/proc")) && h.isAlive();
    }
  }

  private void signalGroup(long pgid, String signal) {
    try {
      new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      err.println("keyroom: could not signal the command's process group (" + e.getClass().getSimpleName()
          + "); stopping its processes one by one");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void followEvents(CompletableFuture<Void> ready) {
    int failures = 0;
    while (!done) {
      try {
        client.follow(e -> {
          switch (e.type()) {
            case "ready" -> ready.complete(null);
            case "ended" -> stop.get().complete(Stop.ENDED);
            case "revoked", "rotated" -> stop.get().complete(
                e.data() != null && "restart".equals(e.data().path("action").asText()) ? Stop.RESTART : Stop.REVOKED);
            default -> { }
          }
        });
        failures = 0;
      } catch (SessionClient.Refused r) {
        if (r.status == 401 || r.status == 403 || r.status == 404) {
          stop.get().complete(Stop.ENDED);
          ready.completeExceptionally(r);
          return;
        }
        failures++;
      } catch (IOException e) {
        failures++;
      } catch (InterruptedException e) {
        return;
      }
      if (!ready.isDone() && failures >= 3) {
        ready.completeExceptionally(new IOException("event stream unavailable"));
      }
      try {
        Thread.sleep(Math.min(5000, 250L * (1 + failures)));
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
