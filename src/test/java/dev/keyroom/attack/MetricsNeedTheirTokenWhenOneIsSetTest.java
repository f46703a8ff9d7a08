package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.app.Config;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} shows route names, providers and counts to anyone who can reach the port. With
 * {@code KEYROOM_METRICS_TOKEN} (or {@code _FILE}) set, it answers only to that bearer token.
 */
class MetricsNeedTheirTokenWhenOneIsSetTest {
  static final String TOKEN = "metrics-scraper-token-0123456789";

  @TempDir Path dir;

  @Test
  void withATokenSet_metricsRefuseNoTokenAndAWrongOne_andServeTheRightOne() {
    Config c =
        TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
            .with(Config.Setting.METRICS_TOKEN, TOKEN);
    try (TestKeyroom k = TestKeyroom.start(c, x -> x)) {
      assertThat(k.get("/metrics", null).statusCode()).isEqualTo(401);
      assertThat(k.get("/metrics", null).headers().firstValue("www-authenticate")).isPresent();
      assertThat(k.get("/metrics", TOKEN + "x").statusCode()).isEqualTo(401);
      assertThat(k.get("/metrics", TOKEN + "x").body())
          .doesNotContain(TOKEN)
          .contains("KEYROOM_METRICS_TOKEN");
      var ok = k.get("/metrics", TOKEN);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("keyroom_up");
      assertThat(k.get("/health", null).statusCode()).as("health stays open").isEqualTo(200);
    }
  }

  @Test
  void withoutAToken_metricsStayOpen() {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      assertThat(k.get("/metrics", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theTokenComesFromAFile_andIsMaskedInTheConfigurationLog() throws Exception {
    Path file = dir.resolve("metrics-token");
    Files.writeString(file, TOKEN + "\n");
    Config c = Config.resolve(Map.of(), Map.of("KEYROOM_METRICS_TOKEN_FILE", file.toString()));
    assertThat(c.get(Config.Setting.METRICS_TOKEN).trim()).isEqualTo(TOKEN);
    assertThat(c.describe()).doesNotContain(TOKEN);
  }
}
