package dev.keyroom.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyroom.testing.TestDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V10 makes credential names unique per kind instead of per home and owner. A store written by V9
 * is upgraded by opening it: every row of every table that points at a credential is kept, foreign
 * keys still hold (and still cascade), a name may now be used again by another kind, and the same
 * kind still refuses it. On SQLite the table is rebuilt; on PostgreSQL the constraint is swapped.
 */
class CredentialNamesPerKindMigrationTest {
  @TempDir Path dir;

  @Test
  void upgradesASqliteStore_keepingEveryRowAndForeignKey() {
    upgrade(TestDatabases.sqliteUrl(dir), null, Database.Dialect.SQLITE);
  }

  @Test
  void upgradesAPostgresStore_keepingEveryRowAndForeignKey() {
    upgrade(TestDatabases.freshPostgresUrl(), "postgres", Database.Dialect.POSTGRESQL);
  }

  private void upgrade(String url, String user, Database.Dialect dialect) {
    Flyway.configure()
        .dataSource(url, user, null)
        .locations(Database.migrations(dialect))
        .target("9")
        .load()
        .migrate();
    (user == null ? Jdbi.create(url) : Jdbi.create(url, user, ""))
        .useHandle(
            h -> {
              h.execute("INSERT INTO tenants (id, name, created_at) VALUES ('ten_a', 'acme', 1)");
              h.execute(
                  "INSERT INTO users (id, tenant_id, name, role, status, created_at) VALUES ('usr_ann', 'ten_a', 'ann', 'member', 'active', 1)");
              credential(h, "cred_gem", "tenant", null, "gemini", "prod", null);
              credential(h, "cred_git", "user", "usr_ann", "git-token", "github", "github.com");
              credential(h, "cred_oauth", "user", "usr_ann", "github-oauth", "work", "github.com");
              h.execute(
                  "INSERT INTO oauth_integrations (credential_id, tenant_id, user_id, provider, account, scopes, has_refresh, status,"
                      + " generation, created_at) VALUES ('cred_oauth', 'ten_a', 'usr_ann', 'github', 'ann-gh', 'repo', 1, 'healthy', 3, 1)");
              h.execute(
                  "INSERT INTO workrooms (id, tenant_id, name, created_at, updated_at, tailscale_credential_id)"
                      + " VALUES ('wr_1', 'ten_a', 'research', 1, 1, NULL)");
              h.execute(
                  "INSERT INTO workroom_tools (workroom_id, tenant_id, kind, slot, credential_id, position)"
                      + " VALUES ('wr_1', 'ten_a', 'gemini', 'cred_gem', 'cred_gem', 0)");
              // before V10 a second "prod" in the same home was refused even for another kind
              assertThatThrownBy(
                      () ->
                          credential(
                              h, "cred_db", "tenant", null, "database-password", "prod", null))
                  .satisfies(e -> assertThat(UniqueKeys.violated(e)).isTrue());
            });

    try (Database db = Database.open(url, user, null)) {
      db.jdbi()
          .useHandle(
              h -> {
                assertThat(
                        h.createQuery(
                                "SELECT id || ' ' || kind || ' ' || name || ' ' || owner_key || ' ' || COALESCE(hosts, '-')"
                                    + " || ' ' || current_version || ' ' || last_used_at FROM credentials ORDER BY id")
                            .mapTo(String.class)
                            .list())
                    .containsExactly(
                        "cred_gem gemini prod  - 2 7",
                        "cred_git git-token github usr_ann github.com 2 7",
                        "cred_oauth github-oauth work usr_ann github.com 2 7");
                assertThat(
                        h.createQuery(
                                "SELECT credential_id || ' ' || version || ' ' || ciphertext FROM credential_versions"
                                    + " ORDER BY credential_id, version")
                            .mapTo(String.class)
                            .list())
                    .containsExactly(
                        "cred_gem 1 ct-cred_gem-1",
                        "cred_gem 2 ct-cred_gem-2",
                        "cred_git 1 ct-cred_git-1",
                        "cred_git 2 ct-cred_git-2",
                        "cred_oauth 1 ct-cred_oauth-1",
                        "cred_oauth 2 ct-cred_oauth-2");
                assertThat(
                        h.createQuery(
                                "SELECT account || ' ' || generation FROM oauth_integrations WHERE credential_id = 'cred_oauth'")
                            .mapTo(String.class)
                            .one())
                    .isEqualTo("ann-gh 3");

                // the same name in another kind is allowed now; in the same kind it is still
                // refused
                credential(h, "cred_db", "tenant", null, "database-password", "prod", null);
                credential(h, "cred_pat", "user", "usr_ann", "personal-env", "github", null);
                assertThatThrownBy(
                        () -> credential(h, "cred_gem2", "tenant", null, "gemini", "prod", null))
                    .satisfies(e -> assertThat(UniqueKeys.violated(e)).isTrue());
                assertThatThrownBy(
                        () ->
                            credential(
                                h, "cred_git2", "user", "usr_ann", "git-token", "github", null))
                    .satisfies(e -> assertThat(UniqueKeys.violated(e)).isTrue());

                // foreign keys point at the new table and are enforced: a version of no credential
                // is refused ...
                assertThatThrownBy(
                        () ->
                            h.execute(
                                "INSERT INTO credential_versions (credential_id, tenant_id, version, ciphertext, hint,"
                                    + " fingerprint, status, created_at) VALUES ('cred_none', 'ten_a', 1, 'x', NULL, 'fp', 'active', 1)"))
                    .isInstanceOf(RuntimeException.class);
                // ... and deleting a credential still cascades to its versions and empties the
                // tool's slot
                h.execute("DELETE FROM credentials WHERE id = 'cred_gem'");
                assertThat(
                        h.createQuery(
                                "SELECT COUNT(*) FROM credential_versions WHERE credential_id = 'cred_gem'")
                            .mapTo(Integer.class)
                            .one())
                    .isZero();
                assertThat(
                        h.createQuery(
                                "SELECT credential_id FROM workroom_tools WHERE workroom_id = 'wr_1'")
                            .mapTo(String.class)
                            .one())
                    .isNull();
                h.execute("DELETE FROM credentials WHERE id = 'cred_oauth'");
                assertThat(
                        h.createQuery("SELECT COUNT(*) FROM oauth_integrations")
                            .mapTo(Integer.class)
                            .one())
                    .isZero();
              });
      if (dialect == Database.Dialect.SQLITE) {
        db.jdbi()
            .useHandle(
                h ->
                    assertThat(h.createQuery("PRAGMA foreign_key_check").mapToMap().list())
                        .isEmpty());
        // the migration switched foreign keys off on the connection it ran on; every pooled
        // connection has them on again
        List<Handle> all = new ArrayList<>();
        try {
          for (int i = 0; i < 8; i++) {
            all.add(db.jdbi().open());
          }
          for (Handle h : all) {
            assertThat(h.createQuery("PRAGMA foreign_keys").mapTo(Integer.class).one())
                .isEqualTo(1);
          }
        } finally {
          all.forEach(Handle::close);
        }
      }
    }
  }

  /** A credential with two versions, last used at 7, written directly. */
  private static void credential(
      Handle h, String id, String home, String owner, String kind, String name, String hosts) {
    h.createUpdate(
            "INSERT INTO credentials (id, tenant_id, home, owner_user_id, owner_key, kind, name, current_version, status,"
                + " created_at, updated_at, last_used_at, hosts) VALUES (:id, 'ten_a', :home, :owner, :ok, :kind, :name, 2, 'active',"
                + " 1, 1, 7, :hosts)")
        .bind("id", id)
        .bind("home", home)
        .bind("owner", owner)
        .bind("ok", owner == null ? "" : owner)
        .bind("kind", kind)
        .bind("name", name)
        .bind("hosts", hosts)
        .execute();
    for (int v = 1; v <= 2; v++) {
      h.createUpdate(
              "INSERT INTO credential_versions (credential_id, tenant_id, version, ciphertext, hint, fingerprint, status,"
                  + " created_at) VALUES (:id, 'ten_a', :v, :c, NULL, 'fp', :s, 1)")
          .bind("id", id)
          .bind("v", v)
          .bind("c", "ct-" + id + "-" + v)
          .bind("s", v == 2 ? "active" : "superseded")
          .execute();
    }
  }
}
