package dev.keyroom.attack;

import dev.keyroom.app.Config;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.testing.OneKeyroomPerClass;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;

/**
 * Base of an attack suite that runs on each store, with every proxied provider pointed at one local
 * fake upstream that answers {@code GET /v1/models} with 200.
 */
abstract class AttackSuite extends OneKeyroomPerClass {
  private static final AtomicInteger TENANTS = new AtomicInteger();
  final FakeUpstream upstream =
      new FakeUpstream()
          .on(
              "/v1/models",
              (ex, seen) -> {
                byte[] body = "{\"data\":[]}".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
              });

  /** The store this suite runs on. */
  abstract boolean postgres();

  @Override
  protected TestKeyroom start(Path dir) {
    Config c =
        postgres()
            ? TestKeyroom.config(dir, TestDatabases.freshPostgresUrl())
                .with(Config.Setting.DATABASE_USER, "postgres")
            : TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir));
    for (String p :
        new String[] {"openai", "gemini", "anthropic", "elevenlabs", "heygen", "firecrawl"}) {
      c = c.withUpstream(p, upstream.url());
    }
    return TestKeyroom.start(c, UnaryOperator.identity());
  }

  @AfterAll
  void stopUpstream() {
    upstream.close();
  }

  Tenant tenant() {
    return new Tenant(k, "t-" + TENANTS.incrementAndGet());
  }
}
