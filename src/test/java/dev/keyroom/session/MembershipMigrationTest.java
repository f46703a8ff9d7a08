package dev.keyroom.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.store.Database;
import dev.keyroom.testing.TestDatabases;
import java.nio.file.Path;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V8 carries existing workrooms over: every user who ever had a session in a workroom becomes a
 * member of it, and nobody else does.
 */
class MembershipMigrationTest {
  @TempDir Path dir;

  @Test
  void pastSessionUsersBecomeMembers_andNobodyElse() {
    String url = TestDatabases.sqliteUrl(dir);
    Flyway.configure()
        .dataSource(url, null, null)
        .locations("classpath:db/migration")
        .target("6")
        .load()
        .migrate();
    Jdbi before = Jdbi.create(url);
    before.useHandle(
        h -> {
          h.execute("INSERT INTO tenants (id, name, created_at) VALUES ('ten_a', 'acme', 1)");
          for (String u : List.of("usr_ann", "usr_bob", "usr_cy")) {
            h.execute(
                "INSERT INTO users (id, tenant_id, name, role, status, created_at) VALUES (?, 'ten_a', ?, 'member', 'active', 1)",
                u,
                u.substring(4));
          }
          h.execute(
              "INSERT INTO workrooms (id, tenant_id, name, created_at, updated_at) VALUES ('wr_used', 'ten_a', 'Used', 1, 1)");
          h.execute(
              "INSERT INTO workrooms (id, tenant_id, name, created_at, updated_at) VALUES ('wr_idle', 'ten_a', 'Idle', 1, 1)");
          int n = 0;
          for (String[] s :
              List.of(
                  new String[] {"usr_ann", "500"},
                  new String[] {"usr_ann", "300"},
                  new String[] {"usr_bob", "700"})) {
            h.execute(
                "INSERT INTO sessions (id, tenant_id, workroom_id, user_id, token_hash, started_at, expires_at, idle_timeout_ms,"
                    + " last_seen_at, ended_at) VALUES (?, 'ten_a', 'wr_used', ?, ?, ?, 9, 9, 9, 9)",
                "ses_" + n,
                s[0],
                "h" + n++,
                Long.parseLong(s[1]));
          }
        });

    try (Database db = Database.open(url, null, null)) {
      List<String> members =
          db.jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT workroom_id || ' ' || user_id || ' ' || added_by || ' ' || added_at FROM workroom_members"
                                  + " ORDER BY workroom_id, user_id")
                          .mapTo(String.class)
                          .list());
      assertThat(members)
          .containsExactly("wr_used usr_ann migration:V8 300", "wr_used usr_bob migration:V8 700");
    }
  }
}
