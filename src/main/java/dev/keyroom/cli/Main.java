package dev.keyroom.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code keyroom} command. Exit codes: 0 success, 1 the operation failed, 2 usage error, 3
 * audit chain broken, 4 key problem (wrong or missing master key), 5 server unreachable, 6 the
 * session ended while {@code run}'s command ran, 7 a credential of the session was revoked.
 */
@Command(
    name = "keyroom",
    mixinStandardHelpOptions = true,
    version = "keyroom 0.1.0",
    description = "Keyroom: encrypted credentials for AI employees, delivered by kind.")
public final class Main implements Runnable {
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int AUDIT_BROKEN = 3;
  public static final int KEY_PROBLEM = 4;
  public static final int UNREACHABLE = 5;
  public static final int SESSION_ENDED = 6;
  public static final int CREDENTIAL_REVOKED = 7;

  /**
   * The commands' names, as each one's {@code @Command} gives it, in the order {@code --help} lists
   * them. They are not the annotation's {@code subcommands}: picocli builds every listed command
   * (reflection over each class, its options and subcommands) on each start, and a command line
   * that names one needs only that one ({@link #commandLine(String)}).
   */
  static final java.util.List<String> COMMANDS =
      java.util.List.of(
          "serve",
          "admin",
          "secrets",
          "run",
          "git-credential",
          "login",
          "logout",
          "whoami",
          "workrooms",
          "sessions",
          "users",
          "tokens",
          "audit",
          "integrations",
          "usage");

  /**
   * A new instance of the command {@code name}; a switch, not a table of lambdas, which would load
   * every command.
   */
  static Object command(String name) {
    return switch (name) {
      case "serve" -> new ServeCommand();
      case "admin" -> new AdminCommand();
      case "secrets" -> new SecretsCommand();
      case "run" -> new RunCommand();
      case "git-credential" -> new GitCredentialCommand();
      case "login" -> new LoginCommand();
      case "logout" -> new LogoutCommand();
      case "whoami" -> new WhoamiCommand();
      case "workrooms" -> new WorkroomsCommand();
      case "sessions" -> new SessionsCommand();
      case "users" -> new UsersCommand();
      case "tokens" -> new TokensCommand();
      case "audit" -> new AuditCommand();
      case "integrations" -> new IntegrationsCommand();
      case "usage" -> new UsageCommand();
      default -> throw new IllegalArgumentException("no command " + name);
    };
  }

  public static void main(String[] args) {
    // git runs its credential helper for every fetch and push: answered without building the
    // command line (every command's class and picocli's model of it), which costs more than the
    // call
    if (GitCredentialCommand.isGitsCall(args)) {
      System.exit(GitCredentialCommand.fromGit(args[1]));
    }
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (tests call this directly). */
  public static int run(String... args) {
    CommandLine cli = commandLine(args.length > 0 ? args[0] : null);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> Failures.report(e, cmd.getErr()));
    cli.setParameterExceptionHandler(Main::usageError);
    return cli.execute(args);
  }

  /** The command line without a command named: every command listed by name and description. */
  static CommandLine commandLine() {
    return commandLine(null);
  }

  /**
   * The command line for arguments that start with {@code first}: that command, built in full, when
   * it names one; otherwise ({@code --help}, no command, a mistyped name) every command as a name
   * and its description only — all picocli needs to list them or suggest one, at a fraction of the
   * cost of building each with its options and subcommands.
   */
  static CommandLine commandLine(String first) {
    CommandLine cli = new CommandLine(new Main());
    if (first != null && COMMANDS.contains(first)) {
      CommandLine named = new CommandLine(command(first));
      if (first.equals("run")) {
        // `keyroom run git --version`: everything after the first word of the command belongs to it
        named.setStopAtPositional(true);
      }
      cli.addSubcommand(first, named);
    } else {
      for (String name : COMMANDS) {
        Command about = command(name).getClass().getAnnotation(Command.class);
        CommandSpec summary = CommandSpec.create().name(name);
        summary.usageMessage().description(about.description());
        cli.addSubcommand(name, new CommandLine(summary));
      }
    }
    return cli;
  }

  /**
   * Usage errors without echoing stray arguments: picocli's own message quotes them, and a value
   * typed after an option that does not exist (say {@code --value s3cret}) must not be printed.
   */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String message = e.getMessage();
    if (e instanceof CommandLine.UnmatchedArgumentException u) {
      java.util.List<String> options =
          u.getUnmatched().stream()
              .filter(a -> a.startsWith("-"))
              .map(a -> a.contains("=") ? a.substring(0, a.indexOf('=')) : a)
              .toList();
      message =
          (options.isEmpty()
                  ? "unexpected argument"
                  : "unknown option " + String.join(", ", options))
              + (options.stream().anyMatch(Main::looksLikeAValueOption)
                  ? " (arguments are not shown; values are read from stdin or --value-file, never from the command line)"
                  : " (arguments are not shown)");
    }
    cmd.getErr().println("keyroom: " + message);
    cmd.getErr().println("see: " + cmd.getCommandSpec().qualifiedName() + " --help");
    return USAGE;
  }

  /** An option someone might use to pass a secret on the command line, e.g. --value, --api-key. */
  static boolean looksLikeAValueOption(String option) {
    String o = option.toLowerCase(java.util.Locale.ROOT);
    return java.util.List.of("value", "secret", "token", "password", "passwd", "key").stream()
        .anyMatch(o::contains);
  }

  @Override
  public void run() {
    commandLine().usage(System.out);
  }
}
