package dev.keyroom.usage;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class SqliteUsageWriterTest extends UsageWriterSuite {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.sqlite(dir);
  }
}
