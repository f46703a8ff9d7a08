package dev.keyroom.spend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.usage.UsageRecord;
import dev.keyroom.usage.UsageUnits;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A request's units in each provider's terms, and what a request without usage costs. */
class PricingTest {
  static final Pricing PRICING =
      new Pricing(PriceCatalogue.load(PriceCatalogueTest.PROVIDERS, null), Catalog.load());
  static final long AT = Instant.parse("2026-12-03T00:00:00Z").toEpochMilli();

  static UsageRecord record(String provider, String outcome, UsageUnits u) {
    return new UsageRecord(
        new TenantId("t_1"),
        AT,
        "wr_1",
        "ses_1",
        "usr_1",
        null,
        provider,
        "cred_1",
        1,
        "POST",
        "/v1/x",
        200,
        outcome,
        10,
        10,
        5,
        u);
  }

  @Test
  void openAiAndGeminiCountCachedTokensInsideThePrompt_anthropicBesideIt() {
    UsageUnits openai = new UsageUnits(1000L, 500L, 1500L, null, null, 200L, null, "gpt-4o-mini");
    assertThat(Pricing.quantities("openai", openai))
        .containsEntry(PriceUnit.INPUT_TOKEN, BigDecimal.valueOf(800))
        .containsEntry(PriceUnit.CACHED_INPUT_TOKEN, BigDecimal.valueOf(200))
        .containsEntry(PriceUnit.OUTPUT_TOKEN, BigDecimal.valueOf(500))
        .containsEntry(PriceUnit.REQUEST, BigDecimal.ONE);
    // 800×150000 + 200×75000 + 500×600000 pico-dollars
    assertThat(PRICING.of(record("openai", "ok", openai)).nanoUsd()).isEqualTo(435_000L);

    UsageUnits anthropic =
        new UsageUnits(25L, 9L, 34L, null, null, 100L, 40L, "claude-3-5-haiku-20241022");
    assertThat(Pricing.quantities("anthropic", anthropic))
        .containsEntry(PriceUnit.INPUT_TOKEN, BigDecimal.valueOf(25))
        .containsEntry(PriceUnit.CACHED_INPUT_TOKEN, BigDecimal.valueOf(100))
        .containsEntry(PriceUnit.CACHE_WRITE_TOKEN, BigDecimal.valueOf(40));
    // 25×800000 + 100×80000 + 40×1000000 + 9×4000000 pico-dollars
    assertThat(PRICING.of(record("anthropic", "ok", anthropic)).nanoUsd()).isEqualTo(104_000L);
  }

  @Test
  void withoutUsage_aNormalEndOrAProviderErrorCostsNothing_aCutShortRequestIsUnpriced() {
    assertThat(PRICING.of(record("openai", "ok", UsageUnits.NONE)).nanoUsd()).isZero();
    assertThat(PRICING.of(record("openai", "upstream_error", UsageUnits.NONE)).nanoUsd()).isZero();
    for (String cut : new String[] {"client_aborted", "failed", "aborted"}) {
      Cost c = PRICING.of(record("openai", cut, UsageUnits.NONE));
      assertThat(c.isPriced()).as(cut).isFalse();
      assertThat(c.unpricedReason()).contains("ended before it reported");
    }
    // usage without a model: unpriced, not free
    assertThat(
            PRICING.of(record("openai", "ok", new UsageUnits(5L, 5L, 10L, null, null))).isPriced())
        .isFalse();
  }
}
