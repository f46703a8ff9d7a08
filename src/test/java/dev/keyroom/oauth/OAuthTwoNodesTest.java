package dev.keyroom.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.app.Config;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two Keyroom nodes on one PostgreSQL: one refresh between them, whoever asks. */
class OAuthTwoNodesTest {
  @TempDir Path dir;

  @Test
  void fiftyCallersOnTwoNodesCauseExactlyOneRefresh() throws Exception {
    String url = TestDatabases.freshPostgresUrl();
    try (OAuthWorld world = new OAuthWorld();
        TestKeyroom a = TestKeyroom.start(pg(url), c -> world.configure(c, true));
        TestKeyroom b = TestKeyroom.start(pg(url), c -> world.configure(c, true))) {
      Tenancy.Founded acme = a.tenant("acme");
      TenantId tenant = acme.tenant().id();
      UserId mia = a.keyroom.tenancy().createUser(tenant, "mia", Role.MEMBER, "test").id();
      String token = a.keyroom.tokens().issueForUser(tenant, mia, "t", "test").token();
      HttpResponse<String> done = new Browser(a.url()).connect(token, "generic", null);
      assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
      CredentialId id = new CredentialId(Browser.json(done).at("/connected/id").asText());
      // Node b sees the integration node a connected.
      assertThat(b.get("/api/v1/me/integrations/" + id.value() + "/oauth", token).statusCode())
          .isEqualTo(200);

      for (int round = 1; round <= 2; round++) {
        a.keyroom
            .db()
            .jdbi()
            .useHandle(
                h ->
                    h.createUpdate(
                            "UPDATE oauth_integrations SET expires_at = 1 WHERE credential_id = :id")
                        .bind("id", id.value())
                        .execute());
        world.refreshDelayMs = 300;
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          TestKeyroom node = i % 2 == 0 ? a : b;
          results.add(
              pool.submit(
                  () -> {
                    go.await();
                    return node.keyroom.oauth().freshAccessToken(tenant, mia, id).revealUtf8();
                  }));
        }
        go.countDown();
        Set<String> tokens = new HashSet<>();
        for (Future<String> f : results) {
          tokens.add(f.get(90, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertThat(world.refreshGrants).as("round " + round).hasValue(round);
        assertThat(tokens).as("round " + round).hasSize(1);
        assertThat(world.issuedTokens).contains(tokens.iterator().next());
      }
      assertThat(
              Browser.json(b.get("/api/v1/me/integrations/" + id.value() + "/oauth", token))
                  .get("status")
                  .asText())
          .isEqualTo("healthy");

      // Leak scan of the shared database: every row of every table, as text.
      StringBuilder rows = new StringBuilder();
      a.keyroom
          .db()
          .jdbi()
          .useHandle(
              h -> {
                for (String table :
                    h.createQuery(
                            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
                        .mapTo(String.class)
                        .list()) {
                  h.createQuery("SELECT t::text FROM \"" + table + "\" t")
                      .mapTo(String.class)
                      .forEach(r -> rows.append(r).append('\n'));
                }
              });
      assertThat(rows.toString()).contains(id.value());
      List<String> secrets = new ArrayList<>(world.issuedTokens);
      secrets.addAll(world.signInSecrets);
      secrets.add(OAuthWorld.CLIENT_SECRET);
      for (String s : secrets) {
        assertThat(rows.toString()).doesNotContain(s);
      }
    }
  }

  private Config pg(String url) {
    return TestKeyroom.config(dir, url).with(Config.Setting.DATABASE_USER, "postgres");
  }
}
