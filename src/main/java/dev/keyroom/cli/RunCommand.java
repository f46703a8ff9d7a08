package dev.keyroom.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyroom run --workroom NAME -- <command…>} (a person: starts a session as the logged-in
 * user and ends it when the command exits, however it exits) or {@code keyroom run
 * [--session-token-file F] -- <command…>} (the platform: a session it started).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a command with a session's environment: values exist only in the command's environment,",
      "its output is masked, and it and every process it starts are stopped when the session ends, a credential",
      "it holds is revoked, or the command exits.",
      "With --workroom NAME a session is started as the logged-in user (keyroom login) and ended when the command",
      "exits; without it, the session is the one whose token is given (KEYROOM_SESSION_TOKEN or --session-token-file).",
      "Credentials the session could not deliver are named on stderr with the reason.",
      "Exit codes: the command's own; "
          + Main.SESSION_ENDED
          + " the session ended; "
          + Main.CREDENTIAL_REVOKED
          + " a credential was revoked; "
          + Main.UNREACHABLE
          + " Keyroom unreachable."
    })
final class RunCommand implements Callable<Integer> {
  @Option(
      names = "--url",
      description =
          "Keyroom URL (default: KEYROOM_URL, else the profile's URL, else http://127.0.0.1:$KEYROOM_PORT)")
  String url;

  @Option(
      names = "--workroom",
      paramLabel = "NAME",
      description = "start a session in this workroom as the logged-in user (name or id)")
  String workroom;

  @Option(
      names = "--profile",
      description =
          "with --workroom: profile of the configuration file (default: KEYROOM_PROFILE, else the default)")
  String profile;

  @Option(
      names = "--session-token-file",
      description = "file holding the kr_sess_ token (default: KEYROOM_SESSION_TOKEN)")
  Path tokenFile;

  @Option(names = "--end-session-on-exit", description = "end the session when the command exits")
  boolean endSessionOnExit;

  @Option(
      names = "--grace",
      defaultValue = "5s",
      description = "time between TERM and KILL when stopping the command (default 5s)")
  String grace;

  @Option(
      names = "--containment",
      defaultValue = "auto",
      description = {
        "how the command's processes are kept together so that none outlives the run: pid-namespace (a new PID",
        "namespace via util-linux unshare; refuse to run without one), process-group (setsid, plus a sweep for",
        "processes carrying this run's marker variable), auto (default: pid-namespace if this machine allows it,",
        "else process-group with a warning)"
      })
  String containment;

  @Parameters(
      arity = "1..*",
      paramLabel = "COMMAND",
      description = "the command and its arguments (after --)")
  List<String> command;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (workroom != null) {
      if (tokenFile != null) {
        throw new Failures.CliException(
            Main.USAGE, "--workroom starts its own session; it does not take --session-token-file");
      }
      Duration shutdownWait = SessionSettings.duration(grace, "--grace").plusSeconds(5);
      return new WorkroomRun(new ApiClient(Server.target(url, profile)), System.err, shutdownWait)
          .run(workroom, started -> launch(started.url(), started.token(), started.sessionId()));
    }
    if (profile != null) {
      throw new Failures.CliException(
          Main.USAGE, "--profile goes with --workroom; a session token names its own session");
    }
    return launch(
        SessionSettings.url(url),
        SessionSettings.token(tokenFile),
        System.getenv("KEYROOM_SESSION_ID"));
  }

  private int launch(String keyroomUrl, String sessionToken, String sessionId)
      throws IOException, InterruptedException {
    Launcher.Options options =
        new Launcher.Options(
            keyroomUrl,
            sessionToken,
            sessionId,
            command,
            endSessionOnExit,
            SessionSettings.duration(grace, "--grace"),
            Map.of(),
            ProcessContainment.Mode.parse(containment));
    try {
      return new Launcher(options, System.out, System.err).run();
    } catch (SessionClient.Refused r) {
      throw new Failures.CliException(
          r.status == 403 ? Main.SESSION_ENDED : Main.FAILED, r.getMessage());
    } catch (java.net.ConnectException e) {
      throw new Failures.CliException(Main.UNREACHABLE, "cannot reach Keyroom at " + options.url());
    }
  }

  /** Where the launcher and the git helper find Keyroom and the session token. */
  static final class SessionSettings {
    private SessionSettings() {}

    static String url(String flag) {
      return Server.url(flag);
    }

    static String token(Path file) throws IOException {
      String t =
          file != null
              ? Files.readString(file, StandardCharsets.UTF_8).strip()
              : System.getenv("KEYROOM_SESSION_TOKEN");
      if (t == null || t.isBlank()) {
        throw new Failures.CliException(
            Main.USAGE,
            "give the session token with --session-token-file or KEYROOM_SESSION_TOKEN (never on the command line)");
      }
      if (!t.strip().startsWith("kr_sess_")) {
        throw new Failures.CliException(Main.USAGE, "the session token must be a kr_sess_ token");
      }
      return t.strip();
    }

    static Duration duration(String v, String name) {
      try {
        String s = v.trim();
        if (s.endsWith("ms"))
          return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        if (s.endsWith("s"))
          return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        return Duration.ofSeconds(Long.parseLong(s));
      } catch (NumberFormatException e) {
        throw new Failures.CliException(
            Main.USAGE, name + " must be a duration such as 500ms or 5s");
      }
    }
  }
}
