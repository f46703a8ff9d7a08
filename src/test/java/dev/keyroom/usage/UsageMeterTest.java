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
      // the plain answer also says none of its prompt came from the cache
      assertThat(meter("openai", "application/json", OPENAI, chunk))
          .isEqualTo(new UsageUnits(12L, 5L, 17L, null, null, 0L, null, null));
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
    // a figure no count can be (infinite, negative) is not taken as credits
    assertThat(
            meter("firecrawl", "application/json", FIRECRAWL.replace("5}", "1e999}"), 9).credits())
        .isNull();
    assertThat(meter("firecrawl", "application/json", FIRECRAWL.replace("5}", "-3}"), 9).credits())
        .isNull();
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

  public static final String OPENAI_CACHED =
      "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini-2024-07-18\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"}}],"
          + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":500,\"total_tokens\":1500,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":200}}}";
  public static final String OPENAI_RESPONSES_STREAM =
      "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"r\","
          + "\"model\":\"gpt-4.1-2025-04-14\",\"usage\":null}}\n\n"
          + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"r\","
          + "\"model\":\"gpt-4.1-2025-04-14\",\"usage\":{\"input_tokens\":40,\"output_tokens\":6,"
          + "\"total_tokens\":46,\"input_tokens_details\":{\"cached_tokens\":32}}}}\n\n";
  public static final String ANTHROPIC_CACHED_STREAM =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\","
          + "\"model\":\"claude-3-5-haiku-20241022\",\"usage\":{\"input_tokens\":25,"
          + "\"cache_read_input_tokens\":100,\"cache_creation_input_tokens\":40,\"output_tokens\":1}}}\n\n"
          + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"Hi\"}}\n\n"
          + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
          + "\"usage\":{\"output_tokens\":9}}\n\n";
  public static final String GEMINI_CACHED =
      "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}],\"role\":\"model\"}}],"
          + "\"usageMetadata\":{\"promptTokenCount\":300,\"cachedContentTokenCount\":256,"
          + "\"candidatesTokenCount\":3,\"totalTokenCount\":303},\"modelVersion\":\"gemini-2.5-flash\"}";

  @Test
  void theAnsweringModelAndPromptCacheFiguresAreRead_plainAndStreamed() {
    for (int chunk : new int[] {1, 11, 4096}) {
      assertThat(meter("openai", "application/json", OPENAI_CACHED, chunk))
          .isEqualTo(
              new UsageUnits(1000L, 500L, 1500L, null, null, 200L, null, "gpt-4o-mini-2024-07-18"));
      assertThat(meter("openai", "text/event-stream", OPENAI_RESPONSES_STREAM, chunk))
          .isEqualTo(new UsageUnits(40L, 6L, 46L, null, null, 32L, null, "gpt-4.1-2025-04-14"));
      assertThat(meter("anthropic", "text/event-stream", ANTHROPIC_CACHED_STREAM, chunk))
          .isEqualTo(
              new UsageUnits(25L, 9L, 34L, null, null, 100L, 40L, "claude-3-5-haiku-20241022"));
      assertThat(meter("gemini", "application/json", GEMINI_CACHED, chunk))
          .isEqualTo(new UsageUnits(300L, 3L, 303L, null, null, 256L, null, "gemini-2.5-flash"));
    }
    // a "model" deep inside the content (a tool call's arguments) is not the answering model
    String deep =
        "{\"content\":[{\"type\":\"tool_use\",\"input\":{\"model\":\"not-this\"}}],"
            + "\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";
    assertThat(meter("anthropic", "application/json", deep, 3).model()).isNull();
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
