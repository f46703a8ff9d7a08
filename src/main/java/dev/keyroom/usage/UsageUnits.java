package dev.keyroom.usage;

/**
 * What a provider said a call consumed. Null means "not reported". Tokens come from {@code
 * usage}/{@code usageMetadata} blocks, characters from ElevenLabs' text-to-speech, credits where
 * the provider reports them.
 */
public record UsageUnits(
    Long inputTokens, Long outputTokens, Long totalTokens, Long characters, Double credits) {
  public static final UsageUnits NONE = new UsageUnits(null, null, null, null, null);

  public boolean isEmpty() {
    return inputTokens == null
        && outputTokens == null
        && totalTokens == null
        && characters == null
        && credits == null;
  }
}
