package dev.keyroom.web;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class PostgresListPagingTest extends ListPagingSuite {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.postgres(dir, clock);
  }
}
