package dev.keyroom.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyroom.spend.PriceUnit;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KEYROOM_PRICES_FILE lays an operator's prices over the shipped catalogue, or stops the start. */
class PricesFileSettingTest {
  @TempDir Path dir;

  private Config config(Path prices) {
    return Config.resolve(Map.of(), Map.of("KEYROOM_PRICES_FILE", prices.toString()))
        .with(Config.Setting.DATA_DIR, dir.resolve("data").toString())
        .with(Config.Setting.DATABASE_URL, TestDatabases.sqliteUrl(dir.resolve("data")))
        .with(Config.Setting.PORT, "0");
  }

  @Test
  void theServerPricesWithTheOperatorsFileOverTheCatalogue() throws Exception {
    Path prices = dir.resolve("prices.json");
    Files.writeString(
        prices,
        """
        {"prices": [{"provider": "gemini", "model": "gemini-2.5-flash", "effective": "2026-01-01",
          "microUsdPerMillion": {"input_token": 200000, "output_token": 2000000},
          "source": "https://example.com/negotiated"}]}
        """);
    try (TestKeyroom k = TestKeyroom.start(config(prices), c -> c)) {
      var rate =
          k.keyroom
              .prices()
              .rate("gemini", "gemini-2.5-flash", LocalDate.parse("2026-12-05"), 10)
              .orElseThrow();
      assertThat(rate.microUsdPerMillion().get(PriceUnit.INPUT_TOKEN)).isEqualTo(200_000L);
      assertThat(rate.origin()).isEqualTo("file " + prices);
      // the rest of the catalogue is still there
      assertThat(
              k.keyroom.prices().rate("openai", "gpt-4o-mini", LocalDate.parse("2026-12-05"), 10))
          .isPresent();
    }
  }

  @Test
  void aBadPricesFileStopsTheStartBeforeAnythingIsCreated() throws Exception {
    Path prices = dir.resolve("prices.json");
    Files.writeString(
        prices,
        """
        {"prices": [{"provider": "gemini", "model": "gemini-2.5-flash", "effective": "2026-01-01",
          "microUsdPerMillion": {"input_token": 0.3}, "source": "https://example.com/p"}]}
        """);
    assertThatThrownBy(() -> Keyroom.open(config(prices)))
        .isInstanceOf(Config.ConfigException.class)
        .hasMessageStartingWith(
            "prices (file "
                + prices
                + "): prices[0].microUsdPerMillion.input_token must be a whole number of"
                + " micro-dollars per million units");
    assertThat(dir.resolve("data")).doesNotExist();
  }
}
