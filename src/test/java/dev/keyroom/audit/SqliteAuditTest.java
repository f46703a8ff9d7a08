package dev.keyroom.audit;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class SqliteAuditTest extends AuditSuite {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.sqlite(dir);
  }
}
