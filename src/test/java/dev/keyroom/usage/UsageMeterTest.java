package dev.keyroom.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Usage is read the same way from a plain body and from the final events of a stream, in any
 * chunking.
 */
public class UsageMeterTest {
  public static final String OPENAI =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":0}}}";
  public static final String OPENAI_STREAM =
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n"
          + "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}\n\n"
          + "data: [DONE]\n\n";
  public static final String ANTHROPIC =
      "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
          + "\"text\":\"Hi\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":25,\"output_tokens\":9}}";
  public static final String ANTHROPIC_STREAM =
      "event: message_start\r\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
          + "\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\r\n\r\n"
          + "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi\"}}\r\n\r\n"
          + "event: message_delta\r\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
          + "\"usage\":{\"output_tokens\":9}}\r\n\r\n"
          + "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n";
  public static final String GEMINI =
      "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}],\"role\":\"model\"}}],"
          + "\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":3,\"thoughtsTokenCount\":4,\"totalTokenCount\":15}}";
  public static final String GEMINI_STREAM =
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"H\"}]}}],"
          + "\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":1,\"totalTokenCount\":9}}\r\n\r\n"
          + "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"i\"}]},\"finishReason\":\"STOP\"}],"
          + "\"usageMetadata\":{\"promptTokenCount\":8,\"candidatesTokenCount\":3,\"totalTokenCount\":11}}\r\n\r\n";
  public static final String FIRECRAWL =
      "{\"success\":true,\"data\":{\"markdown\":\"# Hi\",\"metadata\":{\"title\":\"Hi\","
          + "\"statusCode\":200,\"creditsUsed\":5}}}";

  static UsageUnits meter(String style, String contentType, String body, int chunk) {
    return meter(style, contentType, body, chunk, Map.of());
  }

  static UsageUnits meter(
      String style, String contentType, String body, int chunk, Map<String, String> headers) {
    UsageMeter m = new UsageMeter(style, contentType, headers::get);
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += chunk) {
      m.feed(b, i, Math.min(chunk, b.length - i));
    }
    return m.finish();
  }

  @Test
  void openAiPlainAndStreamedCountTheSame() {
    for (int chunk : new int[] {1, 7, 4096}) {
      assertThat(meter("openai", "application/json", OPENAI, chunk))
          .isEqualTo(new UsageUnits(12L, 5L, 17L, null, null));
      assertThat(meter("openai", "text/event-stream; charset=utf-8", OPENAI_STREAM, chunk))
          .isEqualTo(new UsageUnits(12L, 5L, 17L, null, null));
    }
  }

  @Test
  void anthropicTakesInputFromMessageStartAndOutputFromTheFinalDelta() {
    for (int chunk : new int[] {1, 13, 4096}) {
      assertThat(meter("anthropic", "application/json", ANTHROPIC, chunk))
          .isEqualTo(new UsageUnits(25L, 9L, 34L, null, null));
      assertThat(meter("anthropic", "text/event-stream", ANTHROPIC_STREAM, chunk))
          .isEqualTo(new UsageUnits(25L, 9L, 34L, null, null));
    }
  }

  @Test
  void geminiCountsThoughtsAsOutputAndTakesTheLastStreamedTotals() {
    assertThat(meter("gemini", "application/json; charset=UTF-8", GEMINI, 5))
        .isEqualTo(new UsageUnits(8L, 7L, 15L, null, null));
    assertThat(meter("gemini", "text/event-stream", GEMINI_STREAM, 3))
        .isEqualTo(new UsageUnits(8L, 3L, 11L, null, null));
  }

  @Test
  void firecrawlCreditsAndElevenLabsCharactersAreRead() {
    assertThat(meter("firecrawl", "application/json", FIRECRAWL, 9).credits()).isEqualTo(5.0);
    UsageUnits tts =
        meter(
            "elevenlabs",
            "audio/mpeg",
            "ID3-not-json",
            4,
            Map.of("x-character-count", "11", "character-cost", "11"));
    assertThat(tts.characters()).isEqualTo(11L);
    assertThat(tts.credits()).isEqualTo(11.0);
  }

  @Test
  void bodiesWithoutUsageOrNotJsonYieldNothing() {
    assertThat(
            meter(
                    "heygen",
                    "application/json",
                    "{\"error\":null,\"data\":{\"video_id\":\"v1\"}}",
                    3)
                .isEmpty())
        .isTrue();
    assertThat(meter("openai", "application/json", "not json at all {", 3).isEmpty()).isTrue();
    assertThat(meter("openai", "text/html", "<html>usage</html>", 3).isEmpty()).isTrue();
  }

  @Test
  void aHugeJsonBodyIsMeteredWithoutHoldingIt() {
    String big =
        "{\"data\":[{\"b64_json\":\""
            + "A".repeat(5_000_000)
            + "\"}],\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}";
    assertThat(meter("openai", "application/json", big, 65536))
        .isEqualTo(new UsageUnits(3L, 4L, 7L, null, null));
  }
}
