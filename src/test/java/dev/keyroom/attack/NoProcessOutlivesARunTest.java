package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.cli.LauncherFixture;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child of the real {@code keyroom run} (its own JVM) daemonises: {@code setsid -f}, a classic
 * double fork with {@code setsid()} in between, and a detached daemon that ignores TERM. When the
 * session ends, when a credential it holds is revoked, and when the command exits on its own, none
 * of them — each still holding the injected value in its environment — is left running a second
 * later.
 */
class NoProcessOutlivesARunTest {
  static final String VALUE = "escape-canary-value-000042";
  private static final AtomicLong SEQ = new AtomicLong(System.nanoTime() % 1_000_000);

  @TempDir Path dir;
  TestKeyroom k;
  LauncherFixture f;
  String hook;
  String workroom;
  String marker;

  @BeforeEach
  void setUp() {
    k = TestKeyroom.sqlite(dir);
    f = new LauncherFixture(k);
    hook = f.secret("env", "DEPLOY_HOOK", VALUE);
    workroom =
        f.workroom("{\"name\":\"W\",\"tools\":[{\"kind\":\"env\",\"secretId\":\"" + hook + "\"}]}");
    marker = "4" + SEQ.incrementAndGet() + "." + ProcessHandle.current().pid();
  }

  @AfterEach
  void tearDown() {
    survivors().forEach(ProcessHandle::destroyForcibly);
    k.close();
  }

  @Test
  void sessionEnd_leavesNoDaemonRunning() throws Exception {
    String[] session = f.session(workroom);
    CompletableFuture<CliProcess.Result> run = launch(session, "exec sleep 601" + marker);
    awaitDaemons(List.of("600", "601", "602", "603"), run);
    assertThat(k.send("DELETE", "/api/v1/sessions/" + session[0], f.service, null).statusCode())
        .isEqualTo(204);
    assertNoSurvivorWithinOneSecond();
    assertThat(run.get(30, TimeUnit.SECONDS).exitCode()).isEqualTo(6);
  }

  @Test
  void revoke_leavesNoDaemonRunning() throws Exception {
    String[] session = f.session(workroom);
    CompletableFuture<CliProcess.Result> run = launch(session, "exec sleep 601" + marker);
    awaitDaemons(List.of("600", "601", "602", "603"), run);
    assertThat(k.post("/api/v1/secrets/" + hook + "/revoke", f.admin, null).statusCode())
        .isEqualTo(200);
    assertNoSurvivorWithinOneSecond();
    assertThat(run.get(30, TimeUnit.SECONDS).exitCode()).isEqualTo(7);
  }

  @Test
  void launcherKilled_leavesNoDaemonRunning() throws Exception {
    String[] session = f.session(workroom);
    CompletableFuture<CliProcess.Result> run = launch(session, "exec sleep 601" + marker);
    awaitDaemons(List.of("600", "601", "602", "603"), run);
    ProcessHandle launcher =
        ProcessHandle.allProcesses()
            .filter(p -> cmdline(p).contains("dev.keyroom.cli.Main") && cmdline(p).contains(marker))
            .findFirst()
            .orElseThrow();
    assertThat(launcher.destroyForcibly()).isTrue();
    assertNoSurvivorWithinOneSecond();
    assertThat(run.get(30, TimeUnit.SECONDS).exitCode()).isEqualTo(137);
  }

  @Test
  void processGroupFallback_sessionEnd_leavesNoDaemonThatKeptItsEnvironment() throws Exception {
    String[] session = f.session(workroom);
    CompletableFuture<CliProcess.Result> run =
        launch(session, "exec sleep 601" + marker, "--containment", "process-group");
    awaitDaemons(List.of("600", "601", "602", "603"), run);
    assertThat(k.send("DELETE", "/api/v1/sessions/" + session[0], f.service, null).statusCode())
        .isEqualTo(204);
    assertNoSurvivorWithinOneSecond();
    assertThat(run.get(30, TimeUnit.SECONDS).exitCode()).isEqualTo(6);
  }

  @Test
  void commandExit_leavesNoDaemonRunning() throws Exception {
    String[] session = f.session(workroom);
    Path go = dir.resolve("go");
    CompletableFuture<CliProcess.Result> run =
        launch(session, "while [ ! -e " + go + " ]; do sleep 0.05; done; exit 3");
    awaitDaemons(List.of("600", "602", "603"), run);
    Files.writeString(go, "");
    assertThat(run.get(30, TimeUnit.SECONDS).exitCode()).isEqualTo(3);
    assertNoSurvivorWithinOneSecond();
  }

  /**
   * Starts {@code keyroom run} whose command starts three daemons carrying the marker, then runs
   * {@code then}.
   */
  private CompletableFuture<CliProcess.Result> launch(
      String[] session, String then, String... options) {
    String script =
        "setsid -f sleep 600"
            + marker
            + "; "
            + "perl -MPOSIX -e 'fork and exit; POSIX::setsid(); fork and exit; exec \"sleep\", \"602"
            + marker
            + "\"'; "
            + "setsid -f sh -c 'trap \"\" TERM; sleep 603"
            + marker
            + "'; "
            + then;
    List<String> args =
        new java.util.ArrayList<>(List.of("run", "--url", k.url(), "--grace", "300ms"));
    // a machine that cannot make a PID namespace fails these tests loudly instead of testing the
    // fallback
    args.addAll(options.length == 0 ? List.of("--containment", "pid-namespace") : List.of(options));
    args.addAll(List.of("--", "sh", "-c", script));
    return CompletableFuture.supplyAsync(
        () ->
            CliProcess.run(
                Map.of("KEYROOM_SESSION_TOKEN", session[1]), null, args.toArray(String[]::new)));
  }

  /**
   * Waits until a {@code sleep} runs for each of the markers' prefixes; each holds the value in its
   * environment.
   */
  private void awaitDaemons(List<String> prefixes, CompletableFuture<CliProcess.Result> run)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!sleeping(prefixes) && System.nanoTime() < deadline) {
      assertThat(run)
          .as("keyroom run ended early: %s", run.isDone() ? run.join() : null)
          .isNotDone();
      Thread.sleep(20);
    }
    assertThat(sleeping(prefixes)).as("every daemon started").isTrue();
    assertThat(survivors().filter(p -> cmdline(p).startsWith("sleep ")))
        .allSatisfy(p -> assertThat(environ(p)).contains("DEPLOY_HOOK=" + VALUE));
  }

  private boolean sleeping(List<String> prefixes) {
    List<String> lines = survivors().map(NoProcessOutlivesARunTest::cmdline).toList();
    return prefixes.stream().allMatch(x -> lines.contains("sleep " + x + marker + " "));
  }

  private void assertNoSurvivorWithinOneSecond() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (survivors().findAny().isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(survivors().map(p -> p.pid() + " " + cmdline(p)).toList())
        .as("processes left running")
        .isEmpty();
  }

  /**
   * Processes started under {@code keyroom run} whose argv carries this test's marker (zombies have
   * no argv and do not count; the launcher's own JVM, whose argv holds the command, is not one of
   * them).
   */
  private Stream<ProcessHandle> survivors() {
    return ProcessHandle.allProcesses()
        .filter(
            p -> {
              String cmd = cmdline(p);
              return cmd.contains(marker) && !cmd.contains("dev.keyroom.cli.Main");
            });
  }

  private static String cmdline(ProcessHandle p) {
    return read(p, "cmdline");
  }

  private static String environ(ProcessHandle p) {
    return read(p, "environ");
  }

  private static String read(ProcessHandle p, String file) {
    try {
      return new String(
              Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), file)),
              StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
