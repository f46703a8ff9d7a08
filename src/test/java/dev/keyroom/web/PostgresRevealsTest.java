package dev.keyroom.web;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class PostgresRevealsTest extends RevealsTest {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.postgres(dir);
  }
}
