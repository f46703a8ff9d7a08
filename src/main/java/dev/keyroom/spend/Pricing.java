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
  private static final Set<String> NOT_BILLED = Set.of("ok", "upstream_error");

  private final PriceCatalogue prices;
  private final Catalog catalog;

  public Pricing(PriceCatalogue prices, Catalog catalog) {
    this.prices = prices;
    this.catalog = catalog;
  }

  /**
   * The request's cost. A request that reported nothing billable costs nothing when it ended
   * normally or with the provider's own error (providers bill what they report), and is unpriced
   * when it was cut short before its usage arrived (it may have consumed tokens).
   */
  public Cost of(UsageRecord r) {
    UsageUnits u = r.units();
    if (u.isEmpty()) {
      return NOT_BILLED.contains(r.outcome())
          ? Cost.priced(0, null)
          : Cost.unpriced("the answer ended before it reported what it consumed");
    }
    String style =
        catalog.find(r.provider()).map(CredentialKind::proxy).map(p -> p.usage()).orElse("");
    return prices.cost(r.provider(), u.model(), Instant.ofEpochMilli(r.at()), quantities(style, u));
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
    if (u.credits() != null) {
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
