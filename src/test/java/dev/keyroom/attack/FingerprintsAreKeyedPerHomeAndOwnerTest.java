package dev.keyroom.attack;

import static dev.keyroom.testing.JsonResponses.json;
import static dev.keyroom.testing.JsonResponses.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.OneKeyroomPerClass;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An admin cannot confirm a guess of a member's secret: storing the guess as a tenant secret gives
 * a fingerprint unrelated to the member's (fingerprints are keyed per tenant, home and owner), and
 * no view an admin can open shows a member's fingerprint. Run on SQLite ({@link
 * SqliteFingerprintsAreKeyedPerHomeAndOwnerTest}) and PostgreSQL.
 */
abstract class FingerprintsAreKeyedPerHomeAndOwnerTest extends OneKeyroomPerClass {
  static final String GUESS = "test-git-token-memberSecretGuess_0123456789abcdef";

  Tenancy.Founded acme;
  String admin;
  String alice;
  String bob;

  @BeforeEach
  void tenantWithTwoMembers() {
    acme = newTenant("fingerprints");
    admin = acme.adminToken().token();
    alice = member("alice");
    bob = member("bob");
  }

  @Test
  void theSameValueInTwoHomesOrForTwoOwnersHasUnrelatedFingerprints() {
    JsonNode mine =
        ok(
            k.post(
                "/api/v1/me/integrations",
                alice,
                json(Map.of("kind", "git-token", "name", "github", "value", GUESS))),
            201);
    JsonNode guess =
        ok(
            k.post(
                "/api/v1/secrets",
                admin,
                json(Map.of("kind", "env", "name", "GUESS", "value", GUESS))),
            201);
    JsonNode bobs =
        ok(
            k.post(
                "/api/v1/me/integrations",
                bob,
                json(Map.of("kind", "git-token", "name", "github", "value", GUESS))),
            201);
    String fpAlice = mine.get("fingerprint").asText();
    assertThat(fpAlice).startsWith("fp_");
    assertThat(guess.get("fingerprint").asText()).startsWith("fp_").isNotEqualTo(fpAlice);
    assertThat(bobs.get("fingerprint").asText())
        .isNotEqualTo(fpAlice)
        .isNotEqualTo(guess.get("fingerprint").asText());

    // within one home and owner, equal values still have equal fingerprints (a reused key is
    // visible to its owner)
    JsonNode again =
        ok(
            k.post(
                "/api/v1/me/integrations",
                alice,
                json(Map.of("kind", "personal-env", "name", "SAME", "value", GUESS))),
            201);
    assertThat(again.get("fingerprint").asText()).isEqualTo(fpAlice);
    JsonNode guess2 =
        ok(
            k.post(
                "/api/v1/secrets",
                admin,
                json(Map.of("kind", "env", "name", "GUESS2", "value", GUESS))),
            201);
    assertThat(guess2.get("fingerprint").asText()).isEqualTo(guess.get("fingerprint").asText());
  }

  @Test
  void theAuditViewShowsNoFingerprintOrHintOfAMembersCredential() {
    JsonNode mine =
        ok(
            k.post(
                "/api/v1/me/integrations",
                alice,
                json(Map.of("kind", "git-token", "name", "github", "value", GUESS))),
            201);
    String id = mine.get("id").asText();
    JsonNode replaced =
        ok(
            k.send(
                "PUT",
                "/api/v1/me/integrations/" + id + "/value",
                alice,
                json(Map.of("value", GUESS + "2"))),
            200);
    ok(
        k.post(
            "/api/v1/secrets", admin, json(Map.of("kind", "env", "name", "GUESS", "value", GUESS))),
        201);

    HttpResponse<String> audit = k.get("/api/v1/audit?limit=1000", admin);
    assertThat(audit.statusCode()).isEqualTo(200);
    assertThat(audit.body())
        .doesNotContain(mine.get("fingerprint").asText())
        .doesNotContain(replaced.get("fingerprint").asText())
        .doesNotContain(mine.get("hint").asText());
    for (JsonNode e : ok(audit, 200).get("events")) {
      if (e.get("action").asText().startsWith("integration.")) {
        assertThat(e.get("detail").has("fingerprint")).as(e.toString()).isFalse();
      }
      if (e.get("action").asText().startsWith("secret.create")) {
        assertThat(e.get("detail").has("fingerprint"))
            .as("an admin still sees tenant secrets' fingerprints")
            .isTrue();
      }
    }
    String page = k.get("/api/v1/audit?action=integration.create", admin).body();
    assertThat(page).contains(id).doesNotContain(mine.get("fingerprint").asText());
  }

  @Test
  void storedFingerprintsOfAnOlderStoreAreRecomputedPerHomeAndOwner() {
    JsonNode mine =
        ok(
            k.post(
                "/api/v1/me/integrations",
                alice,
                json(Map.of("kind", "git-token", "name", "github", "value", GUESS))),
            201);
    JsonNode secret =
        ok(
            k.post(
                "/api/v1/secrets",
                admin,
                json(Map.of("kind", "env", "name", "GUESS", "value", GUESS))),
            201);
    // what migration V7 leaves: every stored fingerprint cleared, because the old ones were
    // comparable across homes
    k.keyroom
        .db()
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "UPDATE credential_versions SET fingerprint = '' WHERE tenant_id = :t")
                    .bind("t", acme.tenant().id().value())
                    .execute());
    assertThat(
            ok(k.get("/api/v1/me/integrations/" + mine.get("id").asText(), alice), 200)
                .get("fingerprint")
                .isNull())
        .isTrue();

    int done = k.keyroom.vault().refingerprint();

    assertThat(done).isGreaterThanOrEqualTo(2);
    assertThat(
            ok(k.get("/api/v1/me/integrations/" + mine.get("id").asText(), alice), 200)
                .get("fingerprint")
                .asText())
        .isEqualTo(mine.get("fingerprint").asText());
    assertThat(
            ok(k.get("/api/v1/secrets/" + secret.get("id").asText(), admin), 200)
                .get("fingerprint")
                .asText())
        .isEqualTo(secret.get("fingerprint").asText());
    long left =
        k.keyroom
            .db()
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT COUNT(*) FROM credential_versions"
                                + " WHERE tenant_id = :t AND fingerprint = ''")
                        .bind("t", acme.tenant().id().value())
                        .mapTo(Long.class)
                        .one());
    assertThat(left).isZero();
  }

  /**
   * A store written before V7 (fingerprints keyed per tenant only, no git hosts) is upgraded by
   * opening it: V7 clears every old fingerprint and binds git tokens to github.com, and the start
   * computes the new fingerprints before anything is served. Nothing of the old, comparable
   * fingerprint is left in the credential tables.
   */
  @Test
  void upgradingAnOlderStoreReplacesEveryComparableFingerprint_andRevokesServiceTokensAnAdminMinted(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    dev.keyroom.app.Config config;
    String memberFp;
    String secretFp;
    String integrationId;
    dev.keyroom.tenancy.UserId aliceId;
    dev.keyroom.tenancy.TenantId tenant;
    String adminMinted;
    String operatorMinted;
    try (dev.keyroom.testing.TestKeyroom old = start(dir)) {
      config = old.keyroom.config();
      Tenancy.Founded t = old.tenant("upgraded");
      tenant = t.tenant().id();
      User a = old.keyroom.tenancy().createUser(tenant, "alice", Role.MEMBER, "test");
      aliceId = a.id();
      var vault = old.keyroom.vault();
      var mine =
          vault.create(
              dev.keyroom.vault.CredentialScope.integrationsOf(tenant, a.id()),
              "git-token",
              "github",
              dev.keyroom.crypto.SecretValue.ofUtf8(GUESS),
              "test");
      var secret =
          vault.create(
              dev.keyroom.vault.CredentialScope.tenantSecrets(tenant),
              "env",
              "GUESS",
              dev.keyroom.crypto.SecretValue.ofUtf8(GUESS),
              "test");
      integrationId = mine.id();
      // Before V9 a tenant admin could mint a service token through the API (audited as the admin).
      adminMinted =
          old.keyroom
              .tokens()
              .issueService(tenant, "minted-by-admin", "user:" + t.admin().id().value())
              .token();
      operatorMinted =
          old.keyroom.tokens().issueService(tenant, "minted-by-operator", "system:cli").token();
      memberFp = mine.fingerprint();
      secretFp = secret.fingerprint();
      // turn the store back into what V6 left: one comparable fingerprint for the value in both
      // homes, no hosts column
      old.keyroom
          .db()
          .jdbi()
          .useHandle(
              h -> {
                h.createUpdate(
                        "UPDATE credential_versions SET fingerprint = 'fp_comparable000000000' WHERE tenant_id = :t")
                    .bind("t", tenant.value())
                    .execute();
                h.execute("ALTER TABLE credentials DROP COLUMN hosts");
                // and undo what later migrations added, so opening the store applies V7 and
                // everything after it again
                h.execute("DROP TABLE integration_consents");
                h.execute("ALTER TABLE sessions DROP COLUMN started_by");
                h.execute("ALTER TABLE session_deliveries DROP COLUMN delivery");
                h.execute("DROP TABLE workroom_members");
                h.execute("DROP INDEX audit_events_workroom_seq");
                h.execute("DROP INDEX audit_events_actor_seq");
                h.execute("DROP INDEX session_deliveries_session_page");
                h.execute("DROP INDEX credentials_scope_kind_name");
                h.execute("DROP TABLE web_reveals");
                h.execute("ALTER TABLE usage_records DROP COLUMN model");
                h.execute("ALTER TABLE usage_records DROP COLUMN cached_input_tokens");
                h.execute("ALTER TABLE usage_records DROP COLUMN cache_write_tokens");
                h.execute("ALTER TABLE usage_records DROP COLUMN cost_nano_usd");
                if (old.keyroom.db().dialect() == dev.keyroom.store.Database.Dialect.POSTGRESQL) {
                  // V10 made names unique per kind; before it they were unique per home and owner
                  // (SQLite rebuilds the table anyway)
                  h.execute(
                      "ALTER TABLE credentials DROP CONSTRAINT credentials_name_unique_per_kind");
                  h.execute(
                      "ALTER TABLE credentials ADD CONSTRAINT credentials_tenant_id_home_owner_key_name_key"
                          + " UNIQUE (tenant_id, home, owner_key, name)");
                }
                h.execute(
                    "DELETE FROM flyway_schema_history WHERE version IN ('7', '8', '9', '10', '11', '12', '13')");
              });
    }
    try (dev.keyroom.testing.TestKeyroom upgraded =
        dev.keyroom.testing.TestKeyroom.start(
            config, java.util.function.UnaryOperator.identity())) {
      long comparable =
          upgraded
              .keyroom
              .db()
              .jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT COUNT(*) FROM credential_versions WHERE fingerprint = 'fp_comparable000000000' OR fingerprint = ''")
                          .mapTo(Long.class)
                          .one());
      assertThat(comparable).isZero();
      var mine =
          upgraded
              .keyroom
              .vault()
              .get(
                  dev.keyroom.vault.CredentialScope.integrationsOf(tenant, aliceId),
                  new dev.keyroom.vault.CredentialId(integrationId));
      assertThat(mine.fingerprint()).isEqualTo(memberFp).isNotEqualTo(secretFp);
      assertThat(mine.hosts()).containsExactly("github.com");
      assertThat(
              upgraded
                  .keyroom
                  .vault()
                  .list(dev.keyroom.vault.CredentialScope.tenantSecrets(tenant))
                  .get(0)
                  .fingerprint())
          .isEqualTo(secretFp);
      // V9: service tokens act for members, so the one an admin minted is revoked; the operator's
      // stays.
      assertThat(upgraded.get("/api/v1/me", adminMinted).statusCode()).isEqualTo(401);
      assertThat(upgraded.get("/api/v1/me", operatorMinted).statusCode()).isEqualTo(200);
    }
  }

  String member(String name) {
    User u = k.keyroom.tenancy().createUser(acme.tenant().id(), name, Role.MEMBER, "test");
    return k.keyroom.tokens().issueForUser(acme.tenant().id(), u.id(), "cli", "test").token();
  }
}
