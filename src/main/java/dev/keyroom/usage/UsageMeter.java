package dev.keyroom.usage;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;

/**
 * Reads usage from one response as it streams to the client. The same code path serves a plain JSON
 * body and an SSE stream: each SSE event's JSON goes through the same scanner as a whole body, so
 * the final event of a stream (OpenAI's usage chunk, Anthropic's {@code message_delta}, Gemini's
 * last {@code usageMetadata}) is counted exactly like a non-streamed response.
 */
public final class UsageMeter {
  /** Longest SSE line kept for parsing; longer lines (big base64 payloads) carry no usage. */
  private static final int MAX_LINE = 256 * 1024;

  private final UsageTally tally = new UsageTally();
  private final Mode mode;
  private JsonUsageScanner body;
  private byte[] line = new byte[1024];
  private int lineLen;
  private boolean lineTooLong;
  private StringBuilder eventData;

  private enum Mode {
    JSON,
    SSE,
    NONE
  }

  /**
   * @param style the catalog's usage style of the provider (e.g. {@code openai}, {@code
   *     elevenlabs})
   * @param contentType the response's content type
   * @param header looks up a response header (case-insensitive)
   */
  public UsageMeter(String style, String contentType, Function<String, String> header) {
    String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    if (ct.startsWith("text/event-stream")) {
      mode = Mode.SSE;
    } else if (ct.contains("json")) {
      mode = Mode.JSON;
      body = new JsonUsageScanner(this::absorb);
    } else {
      mode = Mode.NONE;
    }
    if ("elevenlabs".equals(style)) {
      Double chars = number(header.apply("x-character-count"));
      Double cost = number(header.apply("character-cost"));
      if (chars != null || cost != null) {
        tally.absorbCharacters(Math.round(chars != null ? chars : cost));
      }
      if (cost != null) {
        tally.absorbCredits(
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.numberNode(cost));
      }
    }
  }

  /** Feeds response bytes in order. */
  public void feed(byte[] b, int off, int len) {
    switch (mode) {
      case JSON -> body.feed(b, off, len);
      case SSE -> feedSse(b, off, len);
      case NONE -> {}
    }
  }

  /** Ends the response and returns what it consumed. */
  public UsageUnits finish() {
    if (mode == Mode.JSON) {
      body.end();
    } else if (mode == Mode.SSE) {
      endLine();
      dispatchEvent();
    }
    return tally.units();
  }

  private void absorb(String name, JsonNode value) {
    switch (name) {
      case "usage", "usageMetadata" -> tally.absorbTokens(value);
      case "creditsUsed", "credits_used" -> tally.absorbCredits(value);
      case "model", "modelVersion" -> tally.absorbModel(value);
      default -> {}
    }
  }

  private void feedSse(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      byte c = b[i];
      if (c == '\n') {
        endLine();
      } else if (!lineTooLong) {
        if (lineLen == line.length) {
          if (line.length >= MAX_LINE) {
            lineTooLong = true;
            continue;
          }
          line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
        }
        line[lineLen++] = c;
      }
    }
  }

  private void endLine() {
    int n = lineLen;
    if (n > 0 && line[n - 1] == '\r') {
      n--;
    }
    boolean skipped = lineTooLong;
    lineLen = 0;
    lineTooLong = false;
    if (skipped) {
      eventData = null;
      return;
    }
    if (n == 0) {
      dispatchEvent();
      return;
    }
    String s = new String(line, 0, n, StandardCharsets.UTF_8);
    if (s.startsWith("data:")) {
      String data = s.substring(s.length() > 5 && s.charAt(5) == ' ' ? 6 : 5);
      if (eventData == null) {
        eventData = new StringBuilder(data);
      } else {
        eventData.append('\n').append(data);
      }
    }
  }

  private void dispatchEvent() {
    if (eventData == null) {
      return;
    }
    String data = eventData.toString().trim();
    eventData = null;
    if (data.isEmpty() || !data.startsWith("{")) {
      return; // e.g. OpenAI's [DONE]
    }
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    JsonUsageScanner scanner = new JsonUsageScanner(this::absorb);
    scanner.feed(bytes, 0, bytes.length);
    scanner.end();
  }

  private static Double number(String v) {
    if (v == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(v.trim());
      return Double.isFinite(d) && d >= 0 ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
