package dev.keyroom.attack;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class SqliteOnlyMembersReachAWorkroomsSecretsTest extends OnlyMembersReachAWorkroomsSecretsTest {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.sqlite(dir);
  }
}
