package dev.keyroom.usage;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Accumulates usage blocks seen in one response. Providers report cumulative counts (Anthropic's
 * {@code message_delta}, Gemini's per-chunk {@code usageMetadata}), so each counter keeps the
 * largest value seen; a plain response has one block and the rule changes nothing.
 */
final class UsageTally {
  private Long input;
  private Long output;
  private Long thoughts;
  private Long total;
  private Long characters;
  private Double credits;

  /** Reads one usage object in any of the providers' shapes. */
  void absorbTokens(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return;
    }
    input = max(input, first(usage, "prompt_tokens", "input_tokens", "promptTokenCount"));
    output =
        max(output, first(usage, "completion_tokens", "output_tokens", "candidatesTokenCount"));
    thoughts = max(thoughts, first(usage, "thoughtsTokenCount"));
    total = max(total, first(usage, "total_tokens", "totalTokenCount"));
  }

  void absorbCharacters(long n) {
    characters = max(characters, n);
  }

  void absorbCredits(JsonNode n) {
    if (n != null && n.isNumber()) {
      credits = credits == null ? n.asDouble() : Math.max(credits, n.asDouble());
    }
  }

  UsageUnits units() {
    Long out =
        output == null ? thoughts : thoughts == null ? output : Long.valueOf(output + thoughts);
    Long sum = total;
    if (sum == null && (input != null || out != null)) {
      sum = (input == null ? 0 : input) + (out == null ? 0 : out);
    }
    return new UsageUnits(input, out, sum, characters, credits);
  }

  private static Long first(JsonNode n, String... names) {
    for (String name : names) {
      JsonNode v = n.get(name);
      if (v != null && v.canConvertToLong() && v.isIntegralNumber()) {
        return v.asLong();
      }
    }
    return null;
  }

  private static Long max(Long a, Long b) {
    if (a == null) return b;
    if (b == null) return a;
    return Math.max(a, b);
  }
}
