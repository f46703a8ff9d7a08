package dev.keyroom.attack;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class SqliteFingerprintsAreKeyedPerHomeAndOwnerTest
    extends FingerprintsAreKeyedPerHomeAndOwnerTest {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.sqlite(dir);
  }
}
