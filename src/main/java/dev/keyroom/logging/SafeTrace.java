package dev.keyroom.logging;

import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import dev.keyroom.error.KeyroomException;

/**
 * A stack trace fit for a log: class names and frames of every throwable in the cause chain, but a
 * message only for Keyroom's own failures (whose messages name ids and rules by design). JDK,
 * Jetty, Jackson or JDBC messages may quote a header, a body or a bound value — a key — so they are
 * never printed.
 */
public final class SafeTrace {
  private static final int MAX_DEPTH = 8;
  private static final int MAX_FRAMES = 40;

  private SafeTrace() {}

  /** The trace of {@code t}, messages of non-Keyroom throwables withheld. */
  public static String of(Throwable t) {
    StringBuilder sb = new StringBuilder();
    Throwable cur = t;
    for (int depth = 0;
        cur != null && depth < MAX_DEPTH;
        depth++, cur = cur.getCause() == cur ? null : cur.getCause()) {
      head(
          sb,
          depth,
          cur.getClass().getName(),
          cur instanceof KeyroomException ? cur.getMessage() : null);
      StackTraceElement[] frames = cur.getStackTrace();
      for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
        sb.append("\tat ").append(frames[i]).append('\n');
      }
      more(sb, frames.length);
    }
    return sb.toString();
  }

  /** The same for logback's view of a logged throwable (the console converter uses it). */
  static String of(IThrowableProxy t) {
    StringBuilder sb = new StringBuilder();
    IThrowableProxy cur = t;
    for (int depth = 0; cur != null && depth < MAX_DEPTH; depth++, cur = cur.getCause()) {
      head(
          sb,
          depth,
          cur.getClassName(),
          isKeyroomFailure(cur.getClassName()) ? cur.getMessage() : null);
      StackTraceElementProxy[] frames = cur.getStackTraceElementProxyArray();
      for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
        sb.append('\t').append(frames[i].getSTEAsString()).append('\n');
      }
      more(sb, frames.length);
    }
    return sb.toString();
  }

  private static void head(StringBuilder sb, int depth, String className, String message) {
    if (depth > 0) {
      sb.append("Caused by: ");
    }
    sb.append(className);
    sb.append(
        message == null
            ? " (message withheld: it may quote request or credential data)"
            : ": " + message);
    sb.append('\n');
  }

  private static void more(StringBuilder sb, int frames) {
    if (frames > MAX_FRAMES) {
      sb.append("\t... ").append(frames - MAX_FRAMES).append(" more\n");
    }
  }

  /**
   * A subclass of {@link KeyroomException}; a logged proxy carries only the class name, so it is
   * loaded.
   */
  private static boolean isKeyroomFailure(String className) {
    if (!className.startsWith("dev.keyroom.")) {
      return false;
    }
    try {
      return KeyroomException.class.isAssignableFrom(
          Class.forName(className, false, SafeTrace.class.getClassLoader()));
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
