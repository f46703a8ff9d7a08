package dev.keyroom.usage;

/**
 * What a provider said a call consumed, and the model that answered. Null means "not reported".
 * Tokens come from {@code usage}/{@code usageMetadata} blocks, characters from ElevenLabs'
 * text-to-speech, credits where the provider reports them. {@code inputTokens} is the prompt as the
 * provider counts it: OpenAI and Gemini include cached tokens in it, Anthropic does not ({@code
 * cachedInputTokens} and {@code cacheWriteTokens} are reported apart).
 */
public record UsageUnits(
    Long inputTokens,
    Long outputTokens,
    Long totalTokens,
    Long characters,
    Double credits,
    Long cachedInputTokens,
    Long cacheWriteTokens,
    String model) {
  public static final UsageUnits NONE = new UsageUnits(null, null, null, null, null);

  /** Counts without cache figures or model. */
  public UsageUnits(
      Long inputTokens, Long outputTokens, Long totalTokens, Long characters, Double credits) {
    this(inputTokens, outputTokens, totalTokens, characters, credits, null, null, null);
  }

  /** True when nothing billable was reported (a model name alone is not usage). */
  public boolean isEmpty() {
    return inputTokens == null
        && outputTokens == null
        && totalTokens == null
        && characters == null
        && credits == null
        && cachedInputTokens == null
        && cacheWriteTokens == null;
  }
}
