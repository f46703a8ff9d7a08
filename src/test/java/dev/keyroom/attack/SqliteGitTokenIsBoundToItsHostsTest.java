package dev.keyroom.attack;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class SqliteGitTokenIsBoundToItsHostsTest extends GitTokenIsBoundToItsHostsTest {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.sqlite(dir);
  }
}
