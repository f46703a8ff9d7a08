package dev.keyroom.spend;

import java.time.LocalDate;
import java.util.Map;

/**
 * The prices of one provider's models matching {@code model} (a name, or a pattern with {@code *}),
 * from {@code effective} on, in micro-dollars per million units. {@code inputTokensAbove} &gt; 0
 * makes it the rate of requests whose prompt is longer than that (long-context pricing).
 *
 * @param source the provider page the prices were checked against
 * @param origin {@code catalogue} (shipped with Keyroom) or the operator's prices file
 */
public record Rate(
    String provider,
    String model,
    LocalDate effective,
    long inputTokensAbove,
    Map<PriceUnit, Long> microUsdPerMillion,
    String source,
    String origin) {
  public Rate {
    microUsdPerMillion = Map.copyOf(microUsdPerMillion);
  }

  /** Same provider, model pattern and prompt-length tier: an operator's entry replaces these. */
  String tierKey() {
    return provider + "\u0000" + model + "\u0000" + inputTokensAbove;
  }
}
