package dev.keyroom.spend;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.usage.UsageRecord;
import dev.keyroom.usage.UsageUnits;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** Prices a proxied request from what the proxy metered: the units in each provider's terms. */
public final class Pricing {
  /** Requests that ended as the provider meant them to: their usage report is complete. */
  private static final Set<String> COMPLETE = Set.of("ok", "upstream_error");

  /** Methods that read or delete: providers do not bill them, and they report no usage. */
  private static final Set<String> UNBILLED_METHODS = Set.of("GET", "HEAD", "OPTIONS", "DELETE");

  private final PriceCatalogue prices;
  private final Catalog catalog;

  public Pricing(PriceCatalogue prices, Catalog catalog) {
    this.prices = prices;
    this.catalog = catalog;
  }

  /**
   * The request's cost, or why it has none. Never zero for something that may have been billed:
   *
   * <ul>
   *   <li>a request cut short (client gone, upstream failed, aborted) is unpriced: what it reported
   *       so far may be less than it consumed;
   *   <li>a request that reported no usage costs nothing when it only read or deleted (GET, HEAD,
   *       OPTIONS, DELETE) or the provider refused it (its own error answer), and is unpriced
   *       otherwise (an audio answer, a stream without its usage chunk);
   *   <li>anything else is priced from its units, or unpriced when a price is missing.
   * </ul>
   */
  public Cost of(UsageRecord r) {
    if (!COMPLETE.contains(r.outcome())) {
      return Cost.unpriced("the answer was cut short; it may have consumed more than it reported");
    }
    UsageUnits u = r.units();
    if (u.isEmpty()) {
      return "upstream_error".equals(r.outcome()) || UNBILLED_METHODS.contains(r.method())
          ? Cost.priced(0, null)
          : Cost.unpriced("the answer reported no usage");
    }
    String style =
        catalog.find(r.provider()).map(CredentialKind::proxy).map(p -> p.usage()).orElse("");
    try {
      return prices.cost(
          r.provider(), u.model(), Instant.ofEpochMilli(r.at()), quantities(style, u));
    } catch (RuntimeException e) {
      // e.g. a count no price can multiply: the row is still written, without a price
      return Cost.unpriced("the reported usage could not be priced");
    }
  }

  /**
   * The units to price. Anthropic reports fresh prompt tokens, cache reads and cache writes apart;
   * OpenAI and Gemini count cache reads inside the prompt, so the fresh part is the difference.
   */
  static Map<PriceUnit, BigDecimal> quantities(String style, UsageUnits u) {
    Map<PriceUnit, BigDecimal> q = new EnumMap<>(PriceUnit.class);
    long cached = u.cachedInputTokens() == null ? 0 : u.cachedInputTokens();
    if (u.inputTokens() != null) {
      long fresh =
          "anthropic".equals(style) ? u.inputTokens() : Math.max(0, u.inputTokens() - cached);
      q.put(PriceUnit.INPUT_TOKEN, BigDecimal.valueOf(fresh));
    }
    put(q, PriceUnit.CACHED_INPUT_TOKEN, u.cachedInputTokens());
    put(q, PriceUnit.CACHE_WRITE_TOKEN, u.cacheWriteTokens());
    put(q, PriceUnit.OUTPUT_TOKEN, u.outputTokens());
    put(q, PriceUnit.CHARACTER, u.characters());
    // ElevenLabs states one figure twice (characters and the credits they cost): priced once, by
    // the character.
    if (u.credits() != null && !("elevenlabs".equals(style) && u.characters() != null)) {
      q.put(PriceUnit.CREDIT, BigDecimal.valueOf(u.credits()));
    }
    q.put(PriceUnit.REQUEST, BigDecimal.ONE);
    return q;
  }

  private static void put(Map<PriceUnit, BigDecimal> q, PriceUnit unit, Long n) {
    if (n != null) {
      q.put(unit, BigDecimal.valueOf(n));
    }
  }
}
