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
  private Long cached;
  private Long cacheWrite;
  private String model;
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
    // OpenAI (chat completions, responses) and Gemini count cached prompt tokens inside the
    // prompt; Anthropic reports cache reads and writes beside it.
    cached =
        max(
            cached,
            first(usage, "cache_read_input_tokens", "cachedContentTokenCount"),
            nested(usage, "prompt_tokens_details", "cached_tokens"),
            nested(usage, "input_tokens_details", "cached_tokens"));
    cacheWrite = max(cacheWrite, first(usage, "cache_creation_input_tokens"));
  }

  /** The model that answered: the first one a response names. */
  void absorbModel(JsonNode name) {
    if (model == null && name != null && name.isTextual() && !name.asText().isBlank()) {
      String m = name.asText().strip();
      model = m.length() > 128 ? m.substring(0, 128) : m;
    }
  }

  void absorbCharacters(long n) {
    characters = max(characters, n);
  }

  void absorbCredits(JsonNode n) {
    if (n != null && n.isNumber() && Double.isFinite(n.asDouble()) && n.asDouble() >= 0) {
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
    return new UsageUnits(input, out, sum, characters, credits, cached, cacheWrite, model);
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

  private static Long nested(JsonNode n, String object, String field) {
    JsonNode o = n.get(object);
    return o != null && o.isObject() ? first(o, field) : null;
  }

  private static Long max(Long a, Long... bs) {
    Long m = a;
    for (Long b : bs) {
      m = max(m, b);
    }
    return m;
  }

  private static Long max(Long a, Long b) {
    if (a == null) return b;
    if (b == null) return a;
    return Math.max(a, b);
  }
}
