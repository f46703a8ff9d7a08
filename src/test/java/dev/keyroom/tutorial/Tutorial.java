package dev.keyroom.tutorial;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steps of docs/tutorial.md, in order. Every {@code ```sh} block is a step the reader runs; a
 * comment right before a block (blank lines between are allowed) says how the test treats it:
 *
 * <ul>
 *   <li>{@code <!-- tutorial-test: stdin=NAME -->}: run as written; what the reader types or pastes
 *       at the prompt is piped in (NAME: {@code admin-token}, {@code gemini-key}, …);
 *   <li>{@code <!-- tutorial-test: exit=N -->}: run as written; the page says it fails, and the
 *       test requires exit code N (the shell carries on);
 *   <li>{@code <!-- tutorial-test: file=NAME -->} on a block of any language: the reader saves the
 *       block as NAME in the current directory, so the test writes it there;
 *   <li>{@code <!-- tutorial-test: instead=STEP; reason -->}: not run; the test does STEP itself at
 *       this point, for the reason given (e.g. the long-running server, which it starts in the
 *       background the same way).
 * </ul>
 *
 * Blocks of other languages ({@code text} for output, {@code json}) are for reading only. A {@code
 * bash}, {@code shell} or {@code console} block is refused: commands belong in {@code sh} blocks,
 * which the test runs.
 */
record Tutorial(List<Step> steps) {
  /** What the test does with a block. */
  enum Kind {
    RUN,
    FILE,
    INSTEAD
  }

  /**
   * A block: {@code line} is its fence's line number (1-based); {@code argument} is the stdin name
   * (RUN, may be null), the file name (FILE) or the step the test does itself (INSTEAD); {@code
   * exit} the exit code a RUN step must end with (0 unless marked {@code exit=N}).
   */
  record Step(
      int line, Kind kind, String lang, String body, String argument, String reason, int exit) {
    @Override
    public String toString() {
      return "docs/tutorial.md:"
          + line
          + " ("
          + kind
          + (argument == null ? "" : " " + argument)
          + ")";
    }
  }

  private static final Pattern MARKER =
      Pattern.compile(
          "<!--\\s*tutorial-test:\\s*(stdin|exit|file|instead)=([\\w.-]+)\\s*(?:;\\s*(.*?))?\\s*-->");
  private static final Pattern FENCE = Pattern.compile("^```\\s*([\\w-]*)\\s*$");

  static Tutorial parse(String markdown) {
    String[] lines = markdown.split("\n", -1);
    List<Step> steps = new ArrayList<>();
    Matcher pending = null;
    int pendingLine = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.contains("tutorial-test:")) {
        Matcher m = MARKER.matcher(line.trim());
        if (!m.matches()) {
          throw new IllegalArgumentException(
              "docs/tutorial.md:"
                  + (i + 1)
                  + ": a tutorial-test marker must read"
                  + " <!-- tutorial-test: stdin=NAME -->, exit=N, file=NAME or instead=STEP; reason");
        }
        pending = m;
        pendingLine = i + 1;
        continue;
      }
      Matcher fence = FENCE.matcher(line);
      if (!fence.matches()) {
        if (!line.isBlank() && pending != null) {
          throw new IllegalArgumentException(
              "docs/tutorial.md:" + pendingLine + ": the marker is not right before a block");
        }
        continue;
      }
      String lang = fence.group(1);
      int start = i;
      StringBuilder body = new StringBuilder();
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) {
        body.append(lines[i]).append('\n');
      }
      if (i == lines.length) {
        throw new IllegalArgumentException(
            "docs/tutorial.md:" + (start + 1) + ": the block is never closed");
      }
      if (List.of("bash", "shell", "console").contains(lang)) {
        throw new IllegalArgumentException(
            "docs/tutorial.md:"
                + (start + 1)
                + ": a ```"
                + lang
                + " block; commands go in ```sh blocks (run by the test), output in ```text blocks");
      }
      steps.addAll(step(start + 1, lang, body.toString(), pending));
      pending = null;
    }
    return new Tutorial(List.copyOf(steps));
  }

  private static List<Step> step(int line, String lang, String body, Matcher marker) {
    String what = marker == null ? null : marker.group(1);
    String arg = marker == null ? null : marker.group(2);
    String reason = marker == null ? null : marker.group(3);
    if ("file".equals(what)) {
      return List.of(new Step(line, Kind.FILE, lang, body, arg, null, 0));
    }
    if (!"sh".equals(lang)) {
      if (marker != null) {
        throw new IllegalArgumentException(
            "docs/tutorial.md:" + line + ": " + what + "= applies to ```sh blocks only");
      }
      return List.of();
    }
    if ("instead".equals(what)) {
      if (reason == null || reason.isBlank()) {
        throw new IllegalArgumentException(
            "docs/tutorial.md:" + line + ": instead=" + arg + " needs a reason after ';'");
      }
      return List.of(new Step(line, Kind.INSTEAD, lang, body, arg, reason, 0));
    }
    if ("exit".equals(what)) {
      if (!arg.matches("[1-9][0-9]{0,2}")) {
        throw new IllegalArgumentException(
            "docs/tutorial.md:"
                + line
                + ": exit= takes the exit code the block ends with (1 to 255)");
      }
      return List.of(new Step(line, Kind.RUN, lang, body, null, null, Integer.parseInt(arg)));
    }
    return List.of(new Step(line, Kind.RUN, lang, body, arg, null, 0));
  }
}
