package dev.keyroom.cli;

import dev.keyroom.app.Config;
import dev.keyroom.crypto.CryptoSetupException;
import dev.keyroom.crypto.MasterKeyMismatchException;
import dev.keyroom.error.KeyroomException;
import picocli.CommandLine;

/** Turns failures into one line a person can act on, and a distinct exit code. */
final class Failures implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    cmd.getErr().println("keyroom: " + message(e));
    return exitCode(e);
  }

  /** The same for a command run without picocli ({@code git-credential} as git calls it). */
  static int report(Exception e, java.io.PrintStream err) {
    err.println("keyroom: " + message(e));
    return exitCode(e);
  }

  private static int exitCode(Exception e) {
    if (e instanceof MasterKeyMismatchException || e instanceof CryptoSetupException) {
      return Main.KEY_PROBLEM;
    }
    if (e instanceof CliException c) {
      return c.exitCode;
    }
    if (e instanceof Config.ConfigException) {
      return Main.USAGE;
    }
    return Main.FAILED;
  }

  private static String message(Exception e) {
    if (e instanceof KeyroomException || e instanceof CliException || e instanceof Config.ConfigException) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /** A failure with a chosen exit code. */
  static class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    CliException(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }
  }
}
