package dev.keyroom.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a secret value comes from on the command line: a file ({@code --value-file}), a prompt that
 * does not echo when a terminal is attached, or stdin unchanged — never an argument.
 */
final class ValueInput {
  /**
   * A little more than the vault takes, so the server names the limit instead of the value being
   * cut.
   */
  private static final int MAX_READ = 64 * 1024 + 2;

  private ValueInput() {}

  /** Reads the value; one trailing newline (from {@code echo} or an editor) is dropped. */
  static String read(Path valueFile, String prompt) {
    byte[] raw;
    try {
      if (valueFile != null) {
        raw = Files.readAllBytes(valueFile);
      } else {
        String typed = TerminalInput.readHidden(prompt);
        if (typed != null) {
          raw = typed.getBytes(StandardCharsets.UTF_8);
        } else {
          try (InputStream in = System.in) {
            raw = in.readNBytes(MAX_READ);
          }
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new Failures.CliException(Main.USAGE, "--value-file: no such file: " + valueFile);
    } catch (IOException e) {
      throw new Failures.CliException(
          Main.FAILED,
          (valueFile != null ? "--value-file" : "stdin")
              + ": cannot be read ("
              + e.getClass().getSimpleName()
              + ")");
    }
    String value = new String(raw, StandardCharsets.UTF_8);
    if (value.endsWith("\r\n")) {
      value = value.substring(0, value.length() - 2);
    } else if (value.endsWith("\n")) {
      value = value.substring(0, value.length() - 1);
    }
    if (value.isEmpty()) {
      throw new Failures.CliException(
          Main.USAGE, "no value given: pipe it on stdin or use --value-file");
    }
    return value;
  }
}
