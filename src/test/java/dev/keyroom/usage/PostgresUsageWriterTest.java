package dev.keyroom.usage;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class PostgresUsageWriterTest extends UsageWriterSuite {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.postgres(dir);
  }
}
