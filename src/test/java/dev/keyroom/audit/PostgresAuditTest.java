package dev.keyroom.audit;

import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;

class PostgresAuditTest extends AuditSuite {
  @Override
  protected TestKeyroom start(Path dir) {
    return TestKeyroom.postgres(dir);
  }
}
