package dev.keyroom.store;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class PostgresStoreTest extends StoreSuite {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.postgres(dir);
  }
}
