package dev.keyroom.testing;

import dev.keyroom.tenancy.Tenancy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of a suite that runs unchanged on each store: one real Keyroom per test class (the subclass
 * says which store), a fresh tenant per test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OneKeyroomPerClass {
  private static final AtomicInteger TENANTS = new AtomicInteger();
  protected TestKeyroom k;

  /** Starts Keyroom on this suite's store, keys in {@code dir}. */
  protected abstract TestKeyroom start(Path dir);

  @BeforeAll
  void startKeyroom(@TempDir Path dir) {
    k = start(dir);
  }

  @AfterAll
  void stopKeyroom() {
    k.close();
  }

  /** A new tenant named {@code prefix-N} with its first admin. */
  protected Tenancy.Founded newTenant(String prefix) {
    return k.tenant(prefix + "-" + TENANTS.incrementAndGet());
  }
}
