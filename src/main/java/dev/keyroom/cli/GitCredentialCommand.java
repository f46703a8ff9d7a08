package dev.keyroom.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code keyroom git-credential get|store|erase}: git's credential-helper protocol, answered from
 * the live session (KEYROOM_URL, KEYROOM_SESSION_TOKEN, KEYROOM_SESSION_ID). {@code store} and
 * {@code erase} are ignored: the token is never written anywhere. The host (and port) of git's
 * request go to Keyroom, which hands the token only to the hosts it is bound to; for any other host
 * git gets no credential (nothing on standard output) and the refusal goes to standard error.
 *
 * <p>git runs the helper for every operation, so its call ({@link #isGitsCall}) is answered without
 * building the command line ({@link Main#main}), over {@link GitCredentialExchange}.
 */
@Command(
    name = "git-credential",
    mixinStandardHelpOptions = true,
    description =
        "git credential helper backed by the live Keyroom session (set by `keyroom run`).")
final class GitCredentialCommand implements Callable<Integer> {
  private static final Set<String> ACTIONS = Set.of("get", "store", "erase");

  @Parameters(index = "0", paramLabel = "ACTION", description = "get, store or erase")
  String action;

  @Override
  public Integer call() throws IOException {
    return answer(action);
  }

  /** The exact arguments git passes to a helper: {@code git-credential get|store|erase}. */
  static boolean isGitsCall(String... args) {
    return args.length == 2 && "git-credential".equals(args[0]) && ACTIONS.contains(args[1]);
  }

  /**
   * git's call, answered without picocli: the same output, messages and exit codes as {@link
   * #call}.
   */
  static int fromGit(String action) {
    try {
      return answer(action);
    } catch (Exception e) {
      return Failures.report(e, new java.io.PrintWriter(System.err, true, StandardCharsets.UTF_8));
    }
  }

  private static int answer(String action) throws IOException {
    Map<String, String> request =
        read(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    if (!"get".equals(action)) {
      return 0;
    }
    // This helper has no flags: what it needs comes from the environment `keyroom run` sets, and
    // the
    // errors say so rather than suggest run's --url or --session-token-file.
    for (String variable : new String[] {"KEYROOM_URL", "KEYROOM_SESSION_TOKEN"}) {
      String v = System.getenv(variable);
      if (v == null || v.isBlank()) {
        throw new Failures.CliException(
            Main.USAGE,
            variable
                + " is not set: git-credential answers git inside"
                + " `keyroom run`, which sets KEYROOM_URL, KEYROOM_SESSION_TOKEN and KEYROOM_SESSION_ID");
      }
    }
    GitCredentialExchange session =
        new GitCredentialExchange(
            RunCommand.SessionSettings.url(null),
            RunCommand.SessionSettings.token(null),
            System.getenv("KEYROOM_SESSION_ID"));
    return answer(session, request, System.out, System.err);
  }

  /**
   * Asks the session for git's credential and answers git on {@code out}; returns the exit code.
   */
  static int answer(
      GitCredentialExchange session, Map<String, String> request, PrintStream out, PrintStream err)
      throws IOException {
    try {
      GitCredentialExchange.Credential c =
          session.get(
              request.get("protocol"),
              request.get("host"),
              request.get("path"),
              request.get("username"));
      out.print("username=" + c.username() + "\n");
      out.print("password=" + c.revealPassword() + "\n");
      out.flush();
      return 0;
    } catch (GitCredentialExchange.Refused r) {
      err.println("keyroom git-credential: " + r.getMessage());
      if (r.status == 400 || r.status == 403) {
        // this host (or this request) gets no credential; git goes on without one and fails on its
        // own
        out.flush();
        return 0;
      }
      out.print("quit=1\n"); // no other helper, no prompt: this session's git access is over
      out.flush();
      return 1;
    }
  }

  static Map<String, String> read(BufferedReader in) throws IOException {
    Map<String, String> m = new HashMap<>();
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        m.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return m;
  }
}
