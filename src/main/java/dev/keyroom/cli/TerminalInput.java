package dev.keyroom.cli;

import java.io.Console;
import java.lang.reflect.Method;

/**
 * A secret typed at a terminal is read like a password: the terminal does not echo it. Piped or
 * redirected input is not a terminal and is read from stdin unchanged by the caller.
 */
final class TerminalInput {
  private TerminalInput() {}

  /**
   * Reads one line without echo when stdin and stdout are a terminal; {@code null} otherwise (read
   * stdin then). An empty line is returned as an empty string.
   */
  static String readHidden(String prompt) {
    Console console = System.console();
    if (console == null || !isTerminal(console)) {
      return null;
    }
    char[] typed = console.readPassword("%s", prompt);
    if (typed == null) {
      return ""; // end of input (Ctrl-D) at the prompt
    }
    String value = new String(typed);
    java.util.Arrays.fill(typed, '\0');
    return value;
  }

  /**
   * On JDK 22 and later {@link System#console()} may return a console although input is piped;
   * {@code Console.isTerminal()} (not in the Java 21 API this project compiles against) tells. On
   * JDK 21 a console exists only for a terminal.
   */
  private static boolean isTerminal(Console console) {
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }
}
