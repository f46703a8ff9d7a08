package dev.keyroom.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.usage.UsageMeterTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The providers' official SDKs work through the proxy unchanged, given only its base URL and a
 * placeholder as their key; the fake provider sees the real key and never the placeholder, and
 * usage is recorded for plain and streamed calls alike.
 */
class OfficialSdkTest {
  @TempDir Path dir;
  ProxyFixture f;
  LogCapture logs;

  @BeforeEach
  void start() {
    logs = LogCapture.begin();
    f = new ProxyFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
    logs.close();
  }

  private static void sse(com.sun.net.httpserver.HttpExchange ex, String body)
      throws java.io.IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    ex.getResponseBody().write(body.getBytes(StandardCharsets.UTF_8));
  }

  private Map<String, Object> usageRow(String provider, int index) {
    return f.k
        .keyroom
        .db()
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT * FROM usage_records WHERE provider = :p ORDER BY at, latency_ms")
                    .bind("p", provider)
                    .mapToMap()
                    .list())
        .get(index);
  }

  private void assertUpstreamSawOnlyTheRealKey(String provider, String header, String prefix) {
    assertThat(f.upstream.seen())
        .isNotEmpty()
        .allSatisfy(
            seen -> {
              assertThat(seen.header(header)).isEqualTo(prefix + f.keys.get(provider));
              assertThat(seen.everything()).doesNotContain("kr_ph_");
            });
    assertThat(logs.all())
        .doesNotContain(f.keys.get(provider))
        .doesNotContain(f.placeholders.get(provider));
  }

  @Test
  void googleGenAiGenerateContentAndItsStreamingVariant() {
    f.upstream.on(
        "/v1/models/gemini-2.5-flash:generateContent",
        (ex, seen) -> FakeUpstream.json(ex, 200, UsageMeterTest.GEMINI));
    f.upstream.on(
        "/v1/models/gemini-2.5-flash:streamGenerateContent",
        (ex, seen) -> sse(ex, UsageMeterTest.GEMINI_STREAM));
    Client client =
        Client.builder()
            .apiKey(f.placeholders.get("gemini"))
            .httpOptions(HttpOptions.builder().baseUrl(f.proxyUrl("gemini")).build())
            .build();

    GenerateContentResponse r = client.models.generateContent("gemini-2.5-flash", "Say hi", null);
    assertThat(r.text()).isEqualTo("Hi");
    assertThat(r.usageMetadata().orElseThrow().totalTokenCount()).contains(15);

    StringBuilder text = new StringBuilder();
    try (ResponseStream<GenerateContentResponse> stream =
        client.models.generateContentStream("gemini-2.5-flash", "Say hi", null)) {
      for (GenerateContentResponse chunk : stream) {
        text.append(chunk.text());
      }
    }
    assertThat(text).hasToString("Hi");
    assertThat(f.upstream.last().query()).isEqualTo("alt=sse");
    assertUpstreamSawOnlyTheRealKey("gemini", "x-goog-api-key", "");
    f.awaitUsage(2);
    assertThat(((Number) usageRow("gemini", 0).get("total_tokens")).longValue()).isEqualTo(15);
    assertThat(((Number) usageRow("gemini", 1).get("total_tokens")).longValue()).isEqualTo(11);
  }

  @Test
  void anthropicMessagesAndStreaming() {
    f.upstream.on(
        "/v1/messages",
        (ex, seen) -> {
          if (new String(seen.body(), StandardCharsets.UTF_8).contains("\"stream\":true")) {
            sse(
                ex,
                UsageMeterTest.ANTHROPIC_STREAM.replace(
                    "\"delta\":{\"text\":\"Hi\"}",
                    "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}"));
          } else {
            FakeUpstream.json(
                ex,
                200,
                UsageMeterTest.ANTHROPIC.replace(
                    "\"role\":\"assistant\"",
                    "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\""));
          }
        });
    AnthropicClient client =
        AnthropicOkHttpClient.builder()
            .apiKey(f.placeholders.get("anthropic"))
            .baseUrl(f.proxyUrl("anthropic"))
            .maxRetries(0)
            .build();
    MessageCreateParams params =
        MessageCreateParams.builder()
            .model("claude-sonnet-4-5")
            .maxTokens(64)
            .addUserMessage("Say hi")
            .build();

    Message m = client.messages().create(params);
    assertThat(m.content().get(0).asText().text()).isEqualTo("Hi");
    assertThat(m.usage().outputTokens()).isEqualTo(9);

    List<String> types = new ArrayList<>();
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
      stream.stream()
          .forEach(
              e ->
                  types.add(
                      e.isMessageStart()
                          ? "start"
                          : e.isMessageDelta() ? "delta" : e.isMessageStop() ? "stop" : "other"));
    }
    assertThat(types).contains("start", "delta", "stop");
    assertThat(f.upstream.last().header("anthropic-version")).isNotBlank();
    assertUpstreamSawOnlyTheRealKey("anthropic", "x-api-key", "");
    f.awaitUsage(2);
    assertThat(((Number) usageRow("anthropic", 0).get("output_tokens")).longValue()).isEqualTo(9);
    assertThat(((Number) usageRow("anthropic", 1).get("input_tokens")).longValue()).isEqualTo(25);
    assertThat(((Number) usageRow("anthropic", 1).get("output_tokens")).longValue()).isEqualTo(9);
  }

  @Test
  void openAiChatCompletionsAndStreaming() {
    f.upstream.on(
        "/v1/chat/completions",
        (ex, seen) -> {
          if (new String(seen.body(), StandardCharsets.UTF_8).contains("\"stream\":true")) {
            sse(
                ex,
                UsageMeterTest.OPENAI_STREAM.replace(
                    "\"id\":\"c\",",
                    "\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","));
          } else {
            FakeUpstream.json(
                ex,
                200,
                UsageMeterTest.OPENAI.replace(
                    "\"object\":\"chat.completion\",",
                    "\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\","));
          }
        });
    OpenAIClient client =
        OpenAIOkHttpClient.builder()
            .apiKey(f.placeholders.get("openai"))
            .baseUrl(f.proxyUrl("openai") + "/v1")
            .maxRetries(0)
            .build();
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder()
            .model("gpt-4o-mini")
            .addUserMessage("Say hi")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();

    ChatCompletion c = client.chat().completions().create(params);
    assertThat(c.choices().get(0).message().content()).contains("Hi");
    assertThat(c.usage().orElseThrow().totalTokens()).isEqualTo(17);

    StringBuilder text = new StringBuilder();
    try (com.openai.core.http.StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(params)) {
      stream.stream()
          .forEach(
              chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
    }
    assertThat(text).hasToString("Hi");
    assertUpstreamSawOnlyTheRealKey("openai", "authorization", "Bearer ");
    f.awaitUsage(2);
    assertThat(((Number) usageRow("openai", 0).get("total_tokens")).longValue()).isEqualTo(17);
    assertThat(((Number) usageRow("openai", 1).get("total_tokens")).longValue()).isEqualTo(17);
  }

  @Test
  void elevenLabsHeyGenAndFirecrawlOverPlainHttp() {
    f.upstream.on(
        "/v1/text-to-speech/",
        (ex, seen) -> {
          ex.getResponseHeaders().set("Content-Type", "audio/mpeg");
          ex.getResponseHeaders().set("x-character-count", "11");
          ex.getResponseHeaders().set("character-cost", "11");
          ex.getResponseHeaders().set("request-id", "req_tts");
          byte[] mp3 = new byte[4096];
          ex.sendResponseHeaders(200, mp3.length);
          ex.getResponseBody().write(mp3);
        });
    f.upstream.on(
        "/v2/video/generate",
        (ex, seen) ->
            FakeUpstream.json(ex, 200, "{\"error\":null,\"data\":{\"video_id\":\"v_1\"}}"));
    f.upstream.on("/v1/scrape", (ex, seen) -> FakeUpstream.json(ex, 200, UsageMeterTest.FIRECRAWL));

    var tts =
        f.send(
            "POST",
            "/proxy/elevenlabs/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb?output_format=mp3_44100_128",
            "{\"text\":\"Hello world\",\"model_id\":\"eleven_multilingual_v2\"}",
            "xi-api-key",
            f.placeholders.get("elevenlabs"),
            "Content-Type",
            "application/json");
    assertThat(tts.statusCode()).isEqualTo(200);
    assertThat(f.upstream.last().header("xi-api-key")).isEqualTo(f.keys.get("elevenlabs"));
    assertThat(f.upstream.last().query()).isEqualTo("output_format=mp3_44100_128");
    var video =
        f.send(
            "POST",
            "/proxy/heygen/v2/video/generate",
            "{\"video_inputs\":[]}",
            "X-Api-Key",
            f.placeholders.get("heygen"),
            "Content-Type",
            "application/json");
    assertThat(video.body()).contains("v_1");
    assertThat(f.upstream.last().header("x-api-key")).isEqualTo(f.keys.get("heygen"));
    var scrape =
        f.send(
            "POST",
            "/proxy/firecrawl/v1/scrape",
            "{\"url\":\"https://example.com\"}",
            "Authorization",
            "Bearer " + f.placeholders.get("firecrawl"),
            "Content-Type",
            "application/json");
    assertThat(scrape.body()).contains("creditsUsed");
    assertThat(f.upstream.last().header("authorization"))
        .isEqualTo("Bearer " + f.keys.get("firecrawl"));
    assertThat(f.upstream.seen())
        .allSatisfy(seen -> assertThat(seen.everything()).doesNotContain("kr_ph_"));

    f.awaitUsage(3);
    assertThat(((Number) usageRow("elevenlabs", 0).get("characters")).longValue()).isEqualTo(11);
    assertThat(((Number) usageRow("elevenlabs", 0).get("response_bytes")).longValue())
        .isEqualTo(4096);
    assertThat(((Number) usageRow("firecrawl", 0).get("credits")).doubleValue()).isEqualTo(5.0);
    assertThat(usageRow("heygen", 0).get("status")).isEqualTo(200);
  }
}
