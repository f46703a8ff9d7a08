package dev.keyroom.leak;

import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

class SqliteLeakTest extends LeakSuite {
  Path dataDir;

  @Override
  TestKeyroom start(Path dir) {
    dataDir = dir;
    return TestKeyroom.sqlite(dir);
  }

  /** The raw bytes of the database file and its WAL and shared-memory files. */
  @Override
  String storeDump() {
    StringBuilder out = new StringBuilder();
    try {
      for (String name : new String[] {"keyroom.db", "keyroom.db-wal", "keyroom.db-shm"}) {
        Path f = dataDir.resolve(name);
        if (Files.exists(f)) {
          out.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    org.assertj.core.api.Assertions.assertThat(out.length()).isGreaterThan(10_000);
    return out.toString();
  }
}
