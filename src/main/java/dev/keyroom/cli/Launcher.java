package dev.keyroom.cli;

import java.io.IOException;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code keyroom run}: fetches the session environment, starts the command with it (the values live
 * only in the child's environment), forwards its output with every injected value masked, and when
 * the session ends, a credential it holds is revoked, or the command exits, ends every process the
 * command started (see {@link ProcessContainment}; TERM, then KILL after a grace period).
 */
final class Launcher {
  /**
   * How the launcher was asked to run. {@code extraEnv} is applied before the session's variables.
   */
  record Options(
      String url,
      String token,
      String sessionId,
      List<String> command,
      boolean endSessionOnExit,
      Duration grace,
      Map<String, String> extraEnv,
      ProcessContainment.Mode containment) {
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
  private final AtomicReference<CompletableFuture<Stop>> stop =
      new AtomicReference<>(new CompletableFuture<>());
  private final ScheduledExecutorService quietFlush =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("keyroom-output-flush").unstarted(r));
  private ProcessContainment containment;
  private Run current;
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
    Thread follower =
        Thread.ofVirtual().name("keyroom-session-events").start(() -> followEvents(ready));
    try {
      ready.get(15, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      if (stop.get().isDone()) {
        err.println(
            "keyroom: the session is not live: "
                + (e.getCause() == null ? "timeout" : e.getCause().getMessage()));
        return Main.SESSION_ENDED;
      }
      err.println(
          "keyroom: cannot follow the session's events; revocation could not reach this run. Giving up.");
      return Main.UNREACHABLE;
    }
    try {
      containment = ProcessContainment.choose(options.containment(), err);
      while (true) {
        SessionClient.Environment env = client.environment();
        for (SessionClient.Skipped skipped : env.skipped()) {
          err.println("keyroom: skipped " + skipped.line());
        }
        Run run = start(env.variables());
        current = run;
        CompletableFuture<Stop> stopped = stop.get();
        Object first = CompletableFuture.anyOf(run.exit, stopped).get();
        if (first instanceof Integer code && !stopped.isDone()) {
          containment.cleanUp(run.process, options.grace());
          run.drain();
          if (options.endSessionOnExit()) {
            client.end();
          }
          return code;
        }
        Stop why = stopped.get();
        containment.terminate(run.process, options.grace());
        run.drain();
        if (why != Stop.RESTART) {
          err.println(
              "keyroom: "
                  + (why == Stop.ENDED
                      ? "the session ended"
                      : "a credential of this session was revoked")
                  + "; the command was stopped");
          return why.exitCode;
        }
        err.println(
            "keyroom: a credential of this session changed; restarting the command with a fresh environment");
        stop.set(new CompletableFuture<>());
      }
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(
          "launcher failed: " + e.getCause().getClass().getSimpleName());
    } finally {
      done = true;
      follower.interrupt();
      if (current != null && current.process.isAlive()) {
        containment.terminate(
            current.process, Duration.ZERO); // the launcher failed: nothing may outlive it
      }
      quietFlush.shutdown();
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
    ProcessBuilder pb = new ProcessBuilder(containment.wrap(options.command()));
    Map<String, String> childEnv = pb.environment();
    // Keyroom's own settings of the caller's shell (a person's KEYROOM_TOKEN, a server's database
    // password) are not the session's: the session sets the KEYROOM_ variables the command needs
    childEnv.keySet().removeIf(name -> name.startsWith("KEYROOM_"));
    childEnv.putAll(options.extraEnv());
    List<String> secrets = new ArrayList<>();
    TreeSet<String> shortOnes = new TreeSet<>();
    TreeSet<String> partly = new TreeSet<>();
    for (SessionClient.Variable v : env) {
      childEnv.put(v.name(), v.value());
      if (v.secret()) {
        if (OutputMasker.tooShort(v.value())) {
          shortOnes.add(v.name());
        } else {
          secrets.add(v.value());
          if (OutputMasker.partlyUnmasked(v.value())) {
            partly.add(v.name());
          }
        }
      }
    }
    childEnv.put(ProcessContainment.MARKER, containment.runId);
    if (!shortOnes.isEmpty()) {
      err.println(
          "keyroom: warning: not masking "
              + String.join(", ", shortOnes)
              + " in output (values under "
              + OutputMasker.MIN_LENGTH
              + " characters would reveal themselves by where the mask appears)");
    }
    if (!partly.isEmpty()) {
      err.println(
          "keyroom: warning: lines under "
              + OutputMasker.MIN_LENGTH
              + " characters of "
              + String.join(", ", partly)
              + " are not masked in output; the longer lines are");
    }
    OutputMasker masker = new OutputMasker(secrets);
    pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
    Process p = pb.start();
    MaskedOutput stdout = new MaskedOutput(masker, out, quietFlush);
    MaskedOutput stderr = new MaskedOutput(masker, err, quietFlush);
    List<Thread> pumps =
        List.of(
            Thread.ofPlatform()
                .daemon()
                .name("keyroom-stdout")
                .start(() -> stdout.pump(p.getInputStream())),
            Thread.ofPlatform()
                .daemon()
                .name("keyroom-stderr")
                .start(() -> stderr.pump(p.getErrorStream())));
    return new Run(p, p.onExit().thenApply(Process::exitValue), pumps);
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

  private void followEvents(CompletableFuture<Void> ready) {
    int failures = 0;
    while (!done) {
      try {
        client.follow(
            e -> {
              switch (e.type()) {
                case "ready" -> ready.complete(null);
                case "ended" -> stop.get().complete(Stop.ENDED);
                case "revoked", "rotated" ->
                    stop.get()
                        .complete(
                            e.data() != null && "restart".equals(e.data().path("action").asText())
                                ? Stop.RESTART
                                : Stop.REVOKED);
                default -> {}
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
