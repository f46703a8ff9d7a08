package dev.keyroom.spend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyroom.app.Config;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PriceCatalogueTest {
  static final Set<String> PROVIDERS =
      Catalog.load().proxied().stream().map(CredentialKind::id).collect(Collectors.toSet());
  static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

  @TempDir Path dir;

  static Map<PriceUnit, BigDecimal> used(Object... unitsAndCounts) {
    Map<PriceUnit, BigDecimal> m = new java.util.EnumMap<>(PriceUnit.class);
    for (int i = 0; i < unitsAndCounts.length; i += 2) {
      m.put((PriceUnit) unitsAndCounts[i], new BigDecimal(unitsAndCounts[i + 1].toString()));
    }
    return m;
  }

  @Test
  void theShippedCatalogueLoadsAndEveryRateNamesItsSourcePage() {
    PriceCatalogue c = PriceCatalogue.load(PROVIDERS, null);
    assertThat(c.rates().keySet()).contains("openai", "anthropic", "gemini");
    c.rates().values().stream()
        .flatMap(java.util.List::stream)
        .forEach(
            r -> {
              assertThat(r.source()).startsWith("https://");
              assertThat(r.origin()).isEqualTo("catalogue");
              assertThat(r.microUsdPerMillion()).isNotEmpty();
            });
  }

  @Test
  void aRequestCostsItsUnitsTimesTheirPrices_exactly_roundedUpToTheNanoDollarOnce() {
    PriceCatalogue c = PriceCatalogue.load(PROVIDERS, null);
    // gpt-4o-mini: $0.15 per million input tokens, $0.075 cached, $0.60 output
    Cost cost =
        c.cost(
            "openai",
            "gpt-4o-mini-2024-07-18",
            NOW,
            used(
                PriceUnit.INPUT_TOKEN,
                1000,
                PriceUnit.CACHED_INPUT_TOKEN,
                200,
                PriceUnit.OUTPUT_TOKEN,
                500,
                PriceUnit.REQUEST,
                1));
    // 1000×150000 + 200×75000 + 500×600000 = 465,000,000 pico-dollars = 465,000 nano-dollars
    assertThat(cost.isPriced()).isTrue();
    assertThat(cost.nanoUsd()).isEqualTo(465_000L);
    assertThat(cost.rate().model()).isEqualTo("gpt-4o-mini-2024-07-18");
    // 3 tokens at $0.15 per million: 450,000 pico-dollars = 450 nano-dollars; 1 output token at
    // $0.60 per million is 600 more
    assertThat(
            c.cost(
                    "openai",
                    "gpt-4o-mini",
                    NOW,
                    used(PriceUnit.INPUT_TOKEN, 3, PriceUnit.OUTPUT_TOKEN, 1))
                .nanoUsd())
        .isEqualTo(1050L);
  }

  @Test
  void aFractionOfANanoDollarRoundsUp_neverDown() throws Exception {
    Path f =
        write(
            """
            {"prices": [{"provider": "openai", "model": "tiny", "effective": "2026-01-01",
              "microUsdPerMillion": {"input_token": 1001}, "source": "https://example.com/p"}]}
            """);
    PriceCatalogue c = PriceCatalogue.load(PROVIDERS, f);
    // 1 token × 1001 pico-dollars = 1.001 nano-dollars → 2
    assertThat(c.cost("openai", "tiny", NOW, used(PriceUnit.INPUT_TOKEN, 1)).nanoUsd())
        .isEqualTo(2L);
    assertThat(c.cost("openai", "tiny", NOW, used(PriceUnit.INPUT_TOKEN, 1000)).nanoUsd())
        .isEqualTo(1001L);
    assertThat(c.cost("openai", "tiny", NOW, used(PriceUnit.INPUT_TOKEN, 0)).nanoUsd()).isZero();
  }

  @Test
  void unknownModels_unpricedUnits_andRequestsBeforeAPriceWasEffectiveAreUnpriced_neverZero() {
    PriceCatalogue c = PriceCatalogue.load(PROVIDERS, null);
    Cost unknown = c.cost("openai", "gpt-unknown", NOW, used(PriceUnit.INPUT_TOKEN, 10));
    assertThat(unknown.isPriced()).isFalse();
    assertThat(unknown.nanoUsd()).isNull();
    assertThat(unknown.unpricedReason()).isEqualTo("no price for openai model gpt-unknown");

    // claude-sonnet-4-5 has input and output prices only: a cache read makes it unpriced
    Cost cache =
        c.cost(
            "anthropic",
            "claude-sonnet-4-5-20250929",
            NOW,
            used(
                PriceUnit.INPUT_TOKEN,
                10,
                PriceUnit.CACHED_INPUT_TOKEN,
                5,
                PriceUnit.OUTPUT_TOKEN,
                1));
    assertThat(cache.isPriced()).isFalse();
    assertThat(cache.unpricedReason()).contains("cached_input_token");

    Cost early =
        c.cost(
            "openai",
            "gpt-4o-mini",
            Instant.parse("2020-01-01T00:00:00Z"),
            used(PriceUnit.INPUT_TOKEN, 10));
    assertThat(early.isPriced()).isFalse();

    Cost noModel = c.cost("elevenlabs", null, NOW, used(PriceUnit.CHARACTER, 100));
    assertThat(noModel.isPriced()).isFalse();
    assertThat(noModel.unpricedReason()).contains("named no model");
  }

  @Test
  void longPromptsTakeTheLongContextRate() {
    PriceCatalogue c = PriceCatalogue.load(PROVIDERS, null);
    Cost shortPrompt =
        c.cost("gemini", "gemini-2.5-pro", NOW, used(PriceUnit.INPUT_TOKEN, 200_000));
    Cost longPrompt = c.cost("gemini", "gemini-2.5-pro", NOW, used(PriceUnit.INPUT_TOKEN, 200_001));
    assertThat(shortPrompt.rate().inputTokensAbove()).isZero();
    assertThat(shortPrompt.nanoUsd()).isEqualTo(200_000L * 1_250_000 / 1000);
    assertThat(longPrompt.rate().inputTokensAbove()).isEqualTo(200_000L);
    assertThat(longPrompt.nanoUsd()).isEqualTo(200_001L * 2_500_000 / 1000);
  }

  @Test
  void theMostSpecificPatternWins_thenTheLatestEffectiveDate() throws Exception {
    Path f =
        write(
            """
            {"prices": [
              {"provider": "openai", "model": "*", "effective": "2026-01-01",
               "microUsdPerMillion": {"input_token": 1000}, "source": "https://example.com/a"},
              {"provider": "openai", "model": "acme-*", "effective": "2026-01-01",
               "microUsdPerMillion": {"input_token": 2000}, "source": "https://example.com/a"},
              {"provider": "openai", "model": "acme-large-*", "effective": "2026-01-01",
               "microUsdPerMillion": {"input_token": 3000}, "source": "https://example.com/a"},
              {"provider": "openai", "model": "acme-large-*", "effective": "2026-06-01",
               "microUsdPerMillion": {"input_token": 4000}, "source": "https://example.com/a"},
              {"provider": "openai", "model": "acme-large-1", "effective": "2026-01-01",
               "microUsdPerMillion": {"input_token": 5000}, "source": "https://example.com/a"}
            ]}
            """);
    PriceCatalogue c = PriceCatalogue.load(PROVIDERS, f);
    LocalDate may = LocalDate.parse("2026-05-01");
    LocalDate july = LocalDate.parse("2026-07-01");
    assertThat(price(c, "acme-large-1", july)).isEqualTo(5000);
    assertThat(price(c, "acme-large-2", may)).isEqualTo(3000);
    assertThat(price(c, "acme-large-2", july)).isEqualTo(4000);
    assertThat(price(c, "acme-small", july)).isEqualTo(2000);
    assertThat(price(c, "other", july)).isEqualTo(1000);
    assertThat(c.rate("openai", "acme-large-2", LocalDate.parse("2025-12-31"), 0)).isEmpty();
  }

  private static long price(PriceCatalogue c, String model, LocalDate day) {
    return c.rate("openai", model, day, 0)
        .orElseThrow()
        .microUsdPerMillion()
        .get(PriceUnit.INPUT_TOKEN);
  }

  @Test
  void anOperatorsFileReplacesTheShippedRatesOfTheSameModelAndAddsTheRest() throws Exception {
    Path f =
        write(
            """
            {"prices": [
              {"provider": "openai", "model": "gpt-4o-mini", "effective": "2026-12-01",
               "microUsdPerMillion": {"input_token": 100000, "output_token": 400000},
               "source": "https://example.com/negotiated"},
              {"provider": "elevenlabs", "model": "*", "effective": "2026-01-01",
               "microUsdPerMillion": {"character": 300000000}, "source": "https://example.com/plan"}
            ]}
            """);
    PriceCatalogue c = PriceCatalogue.load(PROVIDERS, f);
    Rate mini = c.rate("openai", "gpt-4o-mini", LocalDate.parse("2026-12-05"), 0).orElseThrow();
    assertThat(mini.origin()).isEqualTo("file " + f);
    assertThat(mini.microUsdPerMillion()).doesNotContainKey(PriceUnit.CACHED_INPUT_TOKEN);
    // the shipped rate for the snapshot name is a different model pattern, and stays
    assertThat(
            c.rate("openai", "gpt-4o-mini-2024-07-18", LocalDate.parse("2026-12-05"), 0)
                .orElseThrow()
                .origin())
        .isEqualTo("catalogue");
    // $300 per million characters: 1000 characters cost $0.30
    assertThat(c.cost("elevenlabs", null, NOW, used(PriceUnit.CHARACTER, 1000)).nanoUsd())
        .isEqualTo(300_000_000L);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          not json                                                                 | (document) must be JSON
          {"rates": []}                                                            | prices must be a list of rates
          {"prices": [{"provider": "acme", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": 1}, "source": "https://e.com/"}]} | prices[0].provider must be a proxied provider
          {"prices": [{"provider": "openai", "model": "m m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": 1}, "source": "https://e.com/"}]} | prices[0].model must be a model name or pattern
          {"prices": [{"provider": "openai", "model": "m", "effective": "1 Jan", "microUsdPerMillion": {"input_token": 1}, "source": "https://e.com/"}]} | prices[0].effective must be a date, YYYY-MM-DD
          {"prices": [{"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": 0.15}, "source": "https://e.com/"}]} | prices[0].microUsdPerMillion.input_token must be a whole number of micro-dollars
          {"prices": [{"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": -1}, "source": "https://e.com/"}]} | prices[0].microUsdPerMillion.input_token must be a whole number
          {"prices": [{"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": 18446744073709551616}, "source": "https://e.com/"}]} | prices[0].microUsdPerMillion.input_token must be a whole number
          {"prices": [{"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": 1}, "source": "https://e.com/", "inputTokensAbove": 18446744073709551616}]} | prices[0].inputTokensAbove must be a whole number of tokens
          {"prices": [{"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"tokens": 1}, "source": "https://e.com/"}]} | prices[0].microUsdPerMillion.tokens is not a unit; units are input_token
          {"prices": [{"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {}, "source": "https://e.com/"}]} | prices[0].microUsdPerMillion must map units to prices
          {"prices": [{"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": 1}, "source": "http://e.com/"}]} | prices[0].source must be the https URL
          {"prices": [{"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": 1}, "source": "https://e.com/", "inputTokensAbove": 0}]} | prices[0].inputTokensAbove must be a whole number of tokens, at least 1
          {"prices": [{"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": 1}, "source": "https://e.com/", "price": 3}]} | prices[0].price is not a field of a rate
          {"prices": [{"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": 1}, "source": "https://e.com/"}, {"provider": "openai", "model": "m", "effective": "2026-01-01", "microUsdPerMillion": {"input_token": 2}, "source": "https://e.com/"}]} | prices[1] repeats the provider, model, inputTokensAbove and effective date
          """)
  void aBadPricesFileIsRefusedNamingTheFieldAndTheRule(String json, String message)
      throws Exception {
    Path f = write(json);
    assertThatThrownBy(() -> PriceCatalogue.load(PROVIDERS, f))
        .isInstanceOf(Config.ConfigException.class)
        .hasMessageStartingWith("prices (file " + f + "): " + message);
  }

  @Test
  void theExamplesInDocsSpendAreValidPricesFiles() throws Exception {
    String doc = Files.readString(Path.of("docs/spend.md"));
    var blocks =
        java.util.regex.Pattern.compile("```json\n(.*?)```", java.util.regex.Pattern.DOTALL)
            .matcher(doc);
    int n = 0;
    while (blocks.find()) {
      assertThat(PriceCatalogue.parse(blocks.group(1), "docs/spend.md", PROVIDERS)).isNotEmpty();
      n++;
    }
    assertThat(n).isEqualTo(2);
  }

  @Test
  void anUnreadablePricesFileIsRefused() {
    Path missing = dir.resolve("missing.json");
    assertThatThrownBy(() -> PriceCatalogue.load(PROVIDERS, missing))
        .isInstanceOf(Config.ConfigException.class)
        .hasMessageContaining("prices file " + missing + " cannot be read");
  }

  @ParameterizedTest
  @CsvSource({
    "gpt-4o, gpt-4o, true",
    "gpt-4o, gpt-4o-mini, false",
    "gpt-4o*, gpt-4o-mini, true",
    "*-mini, gpt-4o-mini, true",
    "*-mini, gpt-4o-mini-2024, false",
    "a*b*c, abc, true",
    "a*b*c, a-b-c, true",
    "a*b*c, acb, false",
    "ab*ab, ab, false",
    "ab*ab, abab, true",
    "*, anything, true"
  })
  void patternsMatchWholeNames(String pattern, String name, boolean matches) {
    assertThat(PriceCatalogue.matches(pattern, name)).isEqualTo(matches);
  }

  private Path write(String json) throws Exception {
    Path f = Files.createTempFile(dir, "prices", ".json");
    Files.writeString(f, json);
    return f;
  }
}
