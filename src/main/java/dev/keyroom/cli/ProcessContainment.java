package dev.keyroom.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Keeps everything the command starts inside one boundary the launcher can end completely.
 *
 * <p>{@link Kind#PID_NAMESPACE}: the command runs in a new PID namespace ({@code unshare --pid
 * --fork --kill-child} from util-linux) under a small shell that is the namespace's init. A process
 * that daemonises ({@code setsid}, double fork) is re-parented to that init, never out of the
 * namespace, and when the init dies the kernel kills every process in it. The init dies when the
 * command exits, when the launcher kills it, and when {@code unshare} dies ({@code --kill-child});
 * {@code unshare} itself dies with the launcher ({@code setpriv --pdeathsig KILL}). Needs root or
 * CAP_SYS_ADMIN, or else unprivileged user namespaces ({@link Kind#USER_PID_NAMESPACE}, with the
 * same user id mapped).
 *
 * <p>{@link Kind#PROCESS_GROUP} (the fallback where no namespace can be made): the command leads
 * its own process group ({@code setsid}); stopping signals the group and every descendant, then
 * sweeps {@code /proc} for any process whose environment still carries this run's marker variable,
 * which catches daemons that left the group but kept the environment they were given (and with it
 * the values). A process that replaces its environment while detaching escapes this mode.
 */
final class ProcessContainment {
  /** What the operator asked for. */
  enum Mode {
    AUTO,
    PID_NAMESPACE,
    PROCESS_GROUP;

    static Mode parse(String v) {
      return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "auto" -> AUTO;
        case "pid-namespace" -> PID_NAMESPACE;
        case "process-group" -> PROCESS_GROUP;
        default ->
            throw new Failures.CliException(
                Main.USAGE, "--containment must be auto, pid-namespace or process-group");
      };
    }
  }

  /** What this machine gave us. */
  enum Kind {
    PID_NAMESPACE,
    USER_PID_NAMESPACE,
    PROCESS_GROUP
  }

  /** The variable whose value marks every process of one run (it is not secret). */
  static final String MARKER = "KEYROOM_RUN_ID";

  private static final String INIT = "\"$@\"; exit $?";

  final Kind kind;
  final String runId;
  private final Optional<Path> unshare;
  private final Optional<Path> setpriv;
  private final Optional<Path> setsid;

  private ProcessContainment(
      Kind kind, Optional<Path> unshare, Optional<Path> setpriv, Optional<Path> setsid) {
    this.kind = kind;
    this.unshare = unshare;
    this.setpriv = setpriv;
    this.setsid = setsid;
    byte[] id = new byte[12];
    new SecureRandom().nextBytes(id);
    this.runId = HexFormat.of().formatHex(id);
  }

  /**
   * Chooses the strongest containment this machine allows; refuses when a namespace was required.
   */
  static ProcessContainment choose(Mode mode, java.io.PrintStream err) {
    Optional<Path> unshare = executable("unshare");
    Optional<Path> setpriv = executable("setpriv");
    Optional<Path> setsid = executable("setsid");
    if (mode != Mode.PROCESS_GROUP && unshare.isPresent()) {
      if (works(unshare.get(), List.of())) {
        return new ProcessContainment(Kind.PID_NAMESPACE, unshare, setpriv, setsid);
      }
      if (works(unshare.get(), List.of("--user", "--map-current-user"))) {
        return new ProcessContainment(Kind.USER_PID_NAMESPACE, unshare, setpriv, setsid);
      }
    }
    String why =
        unshare.isEmpty()
            ? "unshare (util-linux) is not installed"
            : "unshare could not create a PID namespace (needs root, CAP_SYS_ADMIN or unprivileged user namespaces)";
    if (mode == Mode.PID_NAMESPACE) {
      throw new Failures.CliException(Main.FAILED, "--containment pid-namespace: " + why);
    }
    if (mode == Mode.AUTO) {
      err.println(
          "keyroom: warning: "
              + why
              + "; falling back to process-group containment: a process that detaches"
              + " and replaces its environment can outlive the session");
    }
    return new ProcessContainment(Kind.PROCESS_GROUP, unshare, setpriv, setsid);
  }

  private static boolean works(Path unshare, List<String> extra) {
    List<String> probe = new ArrayList<>(List.of(unshare.toString()));
    probe.addAll(extra);
    probe.addAll(List.of("--pid", "--fork", "--kill-child", "--", "true"));
    try {
      Process p =
          new ProcessBuilder(probe)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Optional<Path> executable(String name) {
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
    if (path != null) {
      dirs.addAll(0, List.of(path.split(":")));
    }
    return dirs.stream()
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** The argv that runs {@code command} inside the boundary. */
  List<String> wrap(List<String> command) {
    List<String> argv = new ArrayList<>();
    if (kind == Kind.PROCESS_GROUP) {
      setsid.ifPresent(s -> argv.add(s.toString())); // the child leads a new process group
      argv.addAll(command);
      return argv;
    }
    setpriv.ifPresent(s -> argv.addAll(List.of(s.toString(), "--pdeathsig", "KILL")));
    argv.add(unshare.orElseThrow().toString());
    if (kind == Kind.USER_PID_NAMESPACE) {
      argv.addAll(List.of("--user", "--map-current-user"));
    }
    argv.addAll(
        List.of("--pid", "--fork", "--kill-child", "--", "/bin/sh", "-c", INIT, "keyroom-run"));
    argv.addAll(command);
    return argv;
  }

  /**
   * TERM to everything of the run, KILL to whatever is left after {@code grace}; returns when all
   * are gone.
   */
  void terminate(Process p, Duration grace) throws InterruptedException {
    if (kind == Kind.PROCESS_GROUP) {
      terminateGroup(p, grace);
      return;
    }
    Optional<ProcessHandle> init = p.children().findFirst();
    // the init ignores TERM (a namespace's init gets only the signals it handles); its exit ends
    // all
    p.descendants()
        .filter(h -> init.isEmpty() || h.pid() != init.get().pid())
        .forEach(ProcessHandle::destroy);
    if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      init.ifPresent(
          ProcessHandle
              ::destroyForcibly); // SIGKILL reaches an init from outside: the kernel ends the
      // namespace
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** After the command exited by itself: ends anything it left behind. */
  void cleanUp(Process p, Duration grace) throws InterruptedException {
    if (kind != Kind.PROCESS_GROUP) {
      return; // the namespace's init exited with the command, and the kernel ended everything in it
    }
    if (!marked().isEmpty()) {
      terminateGroup(p, grace);
    }
  }

  private void terminateGroup(Process p, Duration grace) throws InterruptedException {
    Set<ProcessHandle> family = new LinkedHashSet<>(p.descendants().toList());
    family.add(p.toHandle());
    family.addAll(marked());
    signalGroup(p.pid(), "TERM");
    family.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline && family.stream().anyMatch(Launcher::running)) {
      Thread.sleep(10);
    }
    long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    do {
      signalGroup(p.pid(), "KILL");
      family.addAll(marked());
      family.forEach(ProcessHandle::destroyForcibly);
      Thread.sleep(10);
    } while (System.nanoTime() < killDeadline && family.stream().anyMatch(Launcher::running));
    p.waitFor(5, TimeUnit.SECONDS);
  }

  /** Running processes whose environment carries this run's marker. */
  List<ProcessHandle> marked() {
    byte[] needle = (MARKER + "=" + runId).getBytes(StandardCharsets.US_ASCII);
    List<ProcessHandle> found = new ArrayList<>();
    try (DirectoryStream<Path> procs =
        Files.newDirectoryStream(
            Path.of("/proc"), d -> d.getFileName().toString().matches("\\d+"))) {
      for (Path proc : procs) {
        try {
          if (contains(Files.readAllBytes(proc.resolve("environ")), needle)) {
            ProcessHandle.of(Long.parseLong(proc.getFileName().toString()))
                .filter(Launcher::running)
                .ifPresent(found::add);
          }
        } catch (IOException e) {
          // the process ended, or its environment is not ours to read (then it is not ours either)
          continue;
        }
      }
    } catch (IOException e) {
      return found; // no /proc: descendants and the process group are all there is
    }
    return found;
  }

  private static boolean contains(byte[] environ, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= environ.length; i++) {
      if (i > 0 && environ[i - 1] != 0) {
        continue;
      }
      for (int j = 0; j < needle.length; j++) {
        if (environ[i + j] != needle[j]) {
          continue outer;
        }
      }
      if (i + needle.length == environ.length || environ[i + needle.length] == 0) {
        return true;
      }
    }
    return false;
  }

  private static void signalGroup(long pgid, String signal) {
    try {
      new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no kill(1): the processes are also stopped one by one
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
