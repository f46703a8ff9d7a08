package dev.keyroom.cli;

import dev.keyroom.app.Config;
import dev.keyroom.crypto.CryptoSetupException;
import dev.keyroom.crypto.MasterKeyMismatchException;
import dev.keyroom.error.KeyroomException;

/**
 * Turns failures into one line a person can act on, and a distinct exit code: picocli's handler for
 * a failed command ({@link Main#run}), and what {@code git-credential} uses without picocli.
 */
final class Failures {
  private Failures() {}

  /** Prints the failure on {@code err} and returns the exit code for it. */
  static int report(Exception e, java.io.PrintWriter err) {
    err.println("keyroom: " + message(e));
    err.flush();
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
    if (e instanceof KeyroomException
        || e instanceof CliException
        || e instanceof Config.ConfigException) {
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
