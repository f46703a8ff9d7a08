package dev.keyroom.attack;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class PostgresHeaderBoundValuesRefuseControlCharactersTest
    extends HeaderBoundValuesRefuseControlCharactersTest {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.postgres(dir);
  }
}
