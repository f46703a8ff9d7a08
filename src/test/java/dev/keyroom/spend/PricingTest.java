package dev.keyroom.spend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.testing.TestUsage;
import dev.keyroom.usage.UsageRecord;
import dev.keyroom.usage.UsageUnits;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request's units in each provider's terms, and what a request without usage costs. */
class PricingTest {
  static final Pricing PRICING =
      new Pricing(PriceCatalogue.load(PriceCatalogueTest.PROVIDERS, null), Catalog.load());
  static final long AT = Instant.parse("2026-12-03T00:00:00Z").toEpochMilli();

  static UsageRecord record(String provider, String outcome, UsageUnits u) {
    return record(provider, "POST", outcome, u);
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

  static UsageRecord record(String provider, String method, String outcome, UsageUnits u) {
    return TestUsage.record(new TenantId("t_1"), AT, provider, method, outcome, u);
  }

  @Test
  void withoutUsage_readsDeletesAndProviderRefusalsCostNothing_anythingElseIsUnpriced() {
    for (String m : new String[] {"GET", "HEAD", "OPTIONS", "DELETE"}) {
      assertThat(PRICING.of(record("openai", m, "ok", UsageUnits.NONE)).nanoUsd()).as(m).isZero();
    }
    assertThat(PRICING.of(record("openai", "POST", "upstream_error", UsageUnits.NONE)).nanoUsd())
        .isZero();
    // an audio answer, or a stream without its usage chunk: it may well have been billed
    Cost post = PRICING.of(record("openai", "POST", "ok", UsageUnits.NONE));
    assertThat(post.isPriced()).isFalse();
    assertThat(post.unpricedReason()).isEqualTo("the answer reported no usage");
    Cost modelOnly =
        PRICING.of(
            record(
                "openai",
                "POST",
                "ok",
                new UsageUnits(null, null, null, null, null, null, null, "gpt-4o-mini")));
    assertThat(modelOnly.isPriced()).isFalse();
    // usage without a model: unpriced, not free
    assertThat(
            PRICING.of(record("openai", "ok", new UsageUnits(5L, 5L, 10L, null, null))).isPriced())
        .isFalse();
  }

  @Test
  void aRequestCutShortIsUnpriced_evenWithTheUsageItReportedSoFar() {
    UsageUnits partial =
        new UsageUnits(25L, 1L, 26L, null, null, null, null, "claude-3-5-haiku-20241022");
    assertThat(PRICING.of(record("anthropic", "ok", partial)).isPriced()).isTrue();
    for (String cut : new String[] {"client_aborted", "failed", "aborted"}) {
      Cost c = PRICING.of(record("anthropic", cut, partial));
      assertThat(c.isPriced()).as(cut).isFalse();
      assertThat(c.unpricedReason()).contains("cut short");
      assertThat(PRICING.of(record("openai", cut, UsageUnits.NONE)).isPriced()).as(cut).isFalse();
    }
  }

  @Test
  void elevenLabsIsPricedOnceByTheCharacter_notAgainByTheSameFigureAsCredits(@TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("prices.json");
    Files.writeString(
        f,
        """
        {"prices": [{"provider": "elevenlabs", "model": "*", "effective": "2026-01-01",
          "microUsdPerMillion": {"character": 300000000}, "source": "https://elevenlabs.io/pricing"}]}
        """);
    Pricing p = new Pricing(PriceCatalogue.load(PriceCatalogueTest.PROVIDERS, f), Catalog.load());
    // the x-character-count and character-cost headers of one text-to-speech answer
    UsageUnits tts = new UsageUnits(null, null, null, 1000L, 1000.0);
    assertThat(p.of(record("elevenlabs", "ok", tts)).nanoUsd()).isEqualTo(300_000_000L);
  }
}
