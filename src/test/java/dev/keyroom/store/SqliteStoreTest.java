package dev.keyroom.store;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class SqliteStoreTest extends StoreSuite {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.sqlite(dir);
  }
}
