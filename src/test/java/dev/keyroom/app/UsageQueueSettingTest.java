package dev.keyroom.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KEYROOM_USAGE_QUEUE sizes the usage queue, and with it the largest batch. */
class UsageQueueSettingTest {
  @TempDir Path dir;

  @Test
  void theQueueIsTenThousandByDefault_andTheSettingSizesQueueAndBatch() {
    assertThat(Config.defaults().positiveInt(Config.Setting.USAGE_QUEUE, Keyroom.MAX_USAGE_QUEUE))
        .isEqualTo(10_000);
    Config config =
        Config.resolve(Map.of(), Map.of("KEYROOM_USAGE_QUEUE", "7"))
            .with(Config.Setting.DATA_DIR, dir.toString())
            .with(Config.Setting.DATABASE_URL, TestDatabases.sqliteUrl(dir))
            .with(Config.Setting.PORT, "0");
    try (TestKeyroom k = TestKeyroom.start(config, c -> c)) {
      assertThat(k.keyroom.usage().batchSize()).isEqualTo(7);
      assertThat(k.keyroom.metrics().scrape()).contains("keyroom_usage_queue_capacity 7.0");
    }
  }

  @Test
  void aQueueOfNoneOrOfMoreThanAMillion_isRefusedNamingTheSettingAndTheRule() {
    for (String bad : new String[] {"0", "-5", "1000001", "lots"}) {
      Config c = Config.defaults().with(Config.Setting.USAGE_QUEUE, bad);
      assertThatThrownBy(() -> c.positiveInt(Config.Setting.USAGE_QUEUE, Keyroom.MAX_USAGE_QUEUE))
          .isInstanceOf(Config.ConfigException.class)
          .hasMessage("usage-queue must be a whole number from 1 to 1000000 (KEYROOM_USAGE_QUEUE)");
    }
  }
}
