package dev.keyroom.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TokenFormat;
import dev.keyroom.testing.OneKeyroomPerClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage and service contract, run unchanged against SQLite ({@link SqliteStoreTest}) and
 * PostgreSQL ({@link PostgresStoreTest}) through the real HTTP API.
 */
abstract class StoreSuite extends OneKeyroomPerClass {
  Tenancy.Founded acme;
  String admin;

  @BeforeEach
  void freshTenant() {
    acme = newTenant("acme");
    admin = acme.adminToken().token();
  }

  static JsonNode json(HttpResponse<String> res) {
    try {
      return Json.MAPPER.readTree(res.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode ok(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return res.body().isEmpty() ? null : json(res);
  }

  String body(Object o) {
    try {
      return Json.MAPPER.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  HttpResponse<String> send(String method, String path, String token, Object body) {
    return k.send(method, path, token, body == null ? null : body(body));
  }

  String member(String name) {
    JsonNode user =
        ok(send("POST", "/api/v1/users", admin, Map.of("name", name, "role", "member")), 201);
    return k.keyroom
        .tokens()
        .issueForUser(
            acme.tenant().id(),
            new dev.keyroom.tenancy.UserId(user.get("id").asText()),
            "test",
            "test")
        .token();
  }

  long count(String sql, Object... binds) {
    return k.keyroom
        .db()
        .jdbi()
        .withHandle(
            h -> {
              var q = h.createQuery(sql);
              for (int i = 0; i < binds.length; i++) {
                q.bind(i, binds[i]);
              }
              return q.mapTo(Long.class).one();
            });
  }

  @Test
  void usersAreCreatedListedChangedAndDisabled() {
    JsonNode bob = ok(send("POST", "/api/v1/users", admin, Map.of("name", "bob")), 201);
    assertThat(bob.get("role").asText()).isEqualTo("member");
    assertThat(bob.get("status").asText()).isEqualTo("active");
    String id = bob.get("id").asText();
    JsonNode list = ok(k.get("/api/v1/users", admin), 200);
    assertThat(list.get("users"))
        .extracting(u -> u.get("name").asText())
        .containsExactlyInAnyOrder("admin", "bob");
    assertThat(
            ok(send("PATCH", "/api/v1/users/" + id, admin, Map.of("role", "admin")), 200)
                .get("role")
                .asText())
        .isEqualTo("admin");
    assertThat(ok(k.get("/api/v1/users/" + id, admin), 200).get("role").asText())
        .isEqualTo("admin");
    assertThat(
            ok(send("POST", "/api/v1/users/" + id + "/disable", admin, null), 200)
                .get("status")
                .asText())
        .isEqualTo("disabled");
    assertThat(send("POST", "/api/v1/users", admin, Map.of("name", "bob")).statusCode())
        .isEqualTo(409);
    assertThat(send("PATCH", "/api/v1/users/" + id, admin, Map.of("role", "owner")).statusCode())
        .isEqualTo(400);
  }

  @Test
  void meDescribesTheCaller() {
    JsonNode me = ok(k.get("/api/v1/me", admin), 200);
    assertThat(me.get("tenantId").asText()).isEqualTo(acme.tenant().id().value());
    assertThat(me.get("user").get("role").asText()).isEqualTo("admin");
  }

  @Test
  void lastAdminCannotBeDemotedOrDisabled() {
    String me = acme.admin().id().value();
    HttpResponse<String> demote =
        send("PATCH", "/api/v1/users/" + me, admin, Map.of("role", "member"));
    assertThat(demote.statusCode()).isEqualTo(409);
    assertThat(json(demote).get("message").asText()).contains("at least one active admin");
    assertThat(send("POST", "/api/v1/users/" + me + "/disable", admin, null).statusCode())
        .isEqualTo(409);
    JsonNode other =
        ok(send("POST", "/api/v1/users", admin, Map.of("name", "second", "role", "admin")), 201);
    ok(send("PATCH", "/api/v1/users/" + me, admin, Map.of("role", "member")), 200);
    assertThat(
            send(
                    "POST",
                    "/api/v1/users/" + other.get("id").asText() + "/disable",
                    acme.adminToken().token(),
                    null)
                .statusCode())
        .isEqualTo(403);
  }

  @Test
  void tokensAreStrongShownOnceStoredHashedAndRevocable() {
    JsonNode issued = ok(send("POST", "/api/v1/me/tokens", admin, Map.of("name", "laptop")), 201);
    String token = issued.get("token").asText();
    assertThat(token).startsWith("kr_u_").hasSize(5 + 43);
    assertThat(TokenFormat.isWellFormed(token, TokenFormat.USER)).isTrue();
    String body = k.get("/api/v1/me/tokens", admin).body();
    assertThat(body).contains(issued.get("id").asText()).doesNotContain(token);
    assertThat(
            count("SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?", TokenFormat.hash(token)))
        .isEqualTo(1);
    assertThat(TokenFormat.hash(token)).hasSize(64).isNotEqualTo(token);
    assertThat(dbText("api_tokens")).doesNotContain(token).doesNotContain(token.substring(5));
    assertThat(
            count(
                "SELECT COUNT(*) FROM api_tokens WHERE id = ? AND last_used_at IS NULL",
                issued.get("id").asText()))
        .isEqualTo(1);

    ok(k.get("/api/v1/me", token), 200);
    assertThat(
            count(
                "SELECT COUNT(*) FROM api_tokens WHERE id = ? AND last_used_at IS NOT NULL",
                issued.get("id").asText()))
        .isEqualTo(1);
    JsonNode listed = json(k.get("/api/v1/me/tokens", admin)).get("tokens");
    assertThat(listed.toString()).contains("lastUsedAt");
    assertThat(listed.get(0).get("id").isTextual()).as(listed.toString()).isTrue();

    ok(send("DELETE", "/api/v1/me/tokens/" + issued.get("id").asText(), admin, null), 204);
    HttpResponse<String> after = k.get("/api/v1/me", token);
    assertThat(after.statusCode()).isEqualTo(401);
    assertThat(after.body()).contains("revoked").doesNotContain(token);
    assertThat(
            send("DELETE", "/api/v1/me/tokens/tok_aaaaaaaaaaaaaaaaaaaaaaaaaa", admin, null)
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void tokensAreUnique_andCarryAtLeast256RandomBits() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      String t = TokenFormat.generate(TokenFormat.USER);
      assertThat(seen.add(t)).isTrue();
      assertThat(java.util.Base64.getUrlDecoder().decode(t.substring(5))).hasSize(32);
    }
  }

  @Test
  void disabledUsersTokenIsRejected() {
    JsonNode bob = ok(send("POST", "/api/v1/users", admin, Map.of("name", "bob")), 201);
    String token =
        k.keyroom
            .tokens()
            .issueForUser(
                acme.tenant().id(),
                new dev.keyroom.tenancy.UserId(bob.get("id").asText()),
                "t",
                "test")
            .token();
    ok(k.get("/api/v1/me", token), 200);
    ok(send("POST", "/api/v1/users/" + bob.get("id").asText() + "/disable", admin, null), 200);
    HttpResponse<String> res = k.get("/api/v1/me", token);
    assertThat(res.statusCode()).isEqualTo(401);
    assertThat(json(res).get("message").asText()).contains("disabled");
  }

  @Test
  void serviceTokensAreIssuedByTheOperator_listedAndRevokedByAdmins() {
    assertThat(
            send("POST", "/api/v1/service-tokens", admin, Map.of("name", "platform")).statusCode())
        .isEqualTo(404);
    dev.keyroom.tenancy.ApiTokens.Issued operator =
        k.keyroom.tokens().issueService(acme.tenant().id(), "platform", "system:cli");
    String token = operator.token();
    assertThat(token).startsWith("kr_s_");
    assertThat(ok(k.get("/api/v1/me", token), 200).get("kind").asText()).isEqualTo("service");
    assertThat(k.get("/api/v1/service-tokens", admin).body())
        .contains(operator.id().value())
        .doesNotContain(token);
    assertThat(k.get("/api/v1/secrets", token).statusCode()).isEqualTo(403);
    ok(send("DELETE", "/api/v1/service-tokens/" + operator.id().value(), admin, null), 204);
    assertThat(k.get("/api/v1/me", token).statusCode()).isEqualTo(401);
  }

  @Test
  void skillsCrud() {
    JsonNode s =
        ok(
            send(
                "POST",
                "/api/v1/skills",
                admin,
                Map.of(
                    "name",
                    "research",
                    "description",
                    "web research",
                    "kinds",
                    List.of("gemini", "firecrawl"))),
            201);
    String id = s.get("id").asText();
    assertThat(s.get("kinds")).extracting(JsonNode::asText).containsExactly("gemini", "firecrawl");
    assertThat(ok(k.get("/api/v1/skills", admin), 200).get("skills")).hasSize(1);
    assertThat(ok(k.get("/api/v1/skills/" + id, admin), 200).get("name").asText())
        .isEqualTo("research");
    JsonNode updated =
        ok(send("PATCH", "/api/v1/skills/" + id, admin, Map.of("kinds", List.of("openai"))), 200);
    assertThat(updated.get("kinds")).extracting(JsonNode::asText).containsExactly("openai");
    assertThat(updated.get("description").asText()).isEqualTo("web research");
    assertThat(
            send(
                    "POST",
                    "/api/v1/skills",
                    admin,
                    Map.of("name", "research", "description", "x", "kinds", List.of()))
                .statusCode())
        .isEqualTo(409);
    assertThat(
            send(
                    "POST",
                    "/api/v1/skills",
                    admin,
                    Map.of("name", "bad", "description", "x", "kinds", List.of("nope")))
                .statusCode())
        .isEqualTo(400);
    ok(send("DELETE", "/api/v1/skills/" + id, admin, null), 204);
    assertThat(k.get("/api/v1/skills/" + id, admin).statusCode()).isEqualTo(404);
  }

  @Test
  void secretsLifecycle_versionsRevokeAndDelete() {
    JsonNode c =
        ok(
            send(
                "POST",
                "/api/v1/secrets",
                admin,
                Map.of("kind", "gemini", "name", "prod", "value", "first-value-1234567890")),
            201);
    String id = c.get("id").asText();
    assertThat(c.get("version").asInt()).isEqualTo(1);
    assertThat(c.get("status").asText()).isEqualTo("active");
    assertThat(c.get("home").asText()).isEqualTo("tenant");
    assertThat(c.get("hint").asText()).isEqualTo("…7890");
    assertThat(c.get("fingerprint").asText()).startsWith("fp_");
    String fp1 = c.get("fingerprint").asText();

    JsonNode v2 =
        ok(
            send(
                "PUT",
                "/api/v1/secrets/" + id + "/value",
                admin,
                Map.of("value", "second-value-abcdefghij")),
            200);
    assertThat(v2.get("id").asText()).isEqualTo(id);
    assertThat(v2.get("version").asInt()).isEqualTo(2);
    assertThat(v2.get("fingerprint").asText()).isNotEqualTo(fp1);
    assertThat(v2.get("versions"))
        .extracting(v -> v.get("status").asText())
        .containsExactly("active", "superseded");

    // equal values have equal fingerprints
    JsonNode same =
        ok(
            send(
                "POST",
                "/api/v1/secrets",
                admin,
                Map.of("kind", "gemini", "name", "copy", "value", "first-value-1234567890")),
            201);
    assertThat(same.get("fingerprint").asText()).isEqualTo(fp1);

    JsonNode oneRevoked =
        ok(send("POST", "/api/v1/secrets/" + id + "/revoke", admin, Map.of("version", 1)), 200);
    assertThat(oneRevoked.get("status").asText()).isEqualTo("active");
    assertThat(oneRevoked.get("versions").get(1).get("status").asText()).isEqualTo("revoked");
    assertThat(
            send("POST", "/api/v1/secrets/" + id + "/revoke", admin, Map.of("version", 9))
                .statusCode())
        .isEqualTo(404);

    JsonNode revoked = ok(send("POST", "/api/v1/secrets/" + id + "/revoke", admin, null), 200);
    assertThat(revoked.get("status").asText()).isEqualTo("revoked");
    assertThat(
            send("PUT", "/api/v1/secrets/" + id + "/value", admin, Map.of("value", "third-value"))
                .statusCode())
        .isEqualTo(409);

    assertThat(ok(k.get("/api/v1/secrets", admin), 200).get("credentials")).hasSize(2);
    assertThat(count("SELECT COUNT(*) FROM credential_versions WHERE credential_id = ?", id))
        .isEqualTo(2);
    ok(send("DELETE", "/api/v1/secrets/" + id, admin, null), 204);
    assertThat(count("SELECT COUNT(*) FROM credential_versions WHERE credential_id = ?", id))
        .isZero();
    assertThat(count("SELECT COUNT(*) FROM credentials WHERE id = ?", id)).isZero();
    assertThat(k.get("/api/v1/secrets/" + id, admin).statusCode()).isEqualTo(404);
    assertThat(send("DELETE", "/api/v1/secrets/" + id, admin, null).statusCode()).isEqualTo(404);
  }

  @Test
  void integrationsLifecycle_isTheCallersOwn() {
    String bob = member("bob");
    JsonNode c =
        ok(
            send(
                "POST",
                "/api/v1/me/integrations",
                bob,
                Map.of(
                    "kind",
                    "git-token",
                    "name",
                    "github",
                    "value",
                    "test-git-token-bobs-token-0123456789")),
            201);
    String id = c.get("id").asText();
    assertThat(c.get("home").asText()).isEqualTo("user");
    assertThat(ok(k.get("/api/v1/me/integrations", bob), 200).get("credentials")).hasSize(1);
    assertThat(ok(k.get("/api/v1/me/integrations", admin), 200).get("credentials")).isEmpty();
    assertThat(k.get("/api/v1/me/integrations/" + id, admin).statusCode()).isEqualTo(404);
    assertThat(
            ok(
                    send(
                        "PUT",
                        "/api/v1/me/integrations/" + id + "/value",
                        bob,
                        Map.of("value", "test-git-token-new-0123456789abc")),
                    200)
                .get("version")
                .asInt())
        .isEqualTo(2);
    assertThat(
            ok(send("POST", "/api/v1/me/integrations/" + id + "/revoke", bob, null), 200)
                .get("status")
                .asText())
        .isEqualTo("revoked");
    ok(send("DELETE", "/api/v1/me/integrations/" + id, bob, null), 204);
    assertThat(count("SELECT COUNT(*) FROM credential_versions WHERE credential_id = ?", id))
        .isZero();
  }

  @Test
  void aKindWrittenIntoTheWrongHome_isRefusedSayingWhereItBelongs() {
    HttpResponse<String> gemini =
        send(
            "POST",
            "/api/v1/me/integrations",
            admin,
            Map.of("kind", "gemini", "name", "mine", "value", "some-value-0123456789"));
    assertThat(gemini.statusCode()).isEqualTo(400);
    assertThat(json(gemini).get("message").asText())
        .contains("Config → Secrets")
        .contains("gemini");
    HttpResponse<String> git =
        send(
            "POST",
            "/api/v1/secrets",
            admin,
            Map.of("kind", "git-token", "name", "shared", "value", "some-value-0123456789"));
    assertThat(git.statusCode()).isEqualTo(400);
    assertThat(json(git).get("message").asText())
        .contains("Profile → Integrations")
        .contains("git-token");
    assertThat(
            count(
                "SELECT COUNT(*) FROM credentials WHERE tenant_id = ?", acme.tenant().id().value()))
        .isZero();
  }

  @Test
  void valuesOver64KiB_areRefusedWith413NamingTheLimit() {
    String limit = "x".repeat(65_536);
    ok(
        send(
            "POST", "/api/v1/secrets", admin, Map.of("kind", "env", "name", "BIG", "value", limit)),
        201);
    HttpResponse<String> res =
        send(
            "POST",
            "/api/v1/secrets",
            admin,
            Map.of("kind", "env", "name", "BIGGER", "value", limit + "y"));
    assertThat(res.statusCode()).isEqualTo(413);
    assertThat(json(res).get("message").asText()).contains("65536");
    assertThat(res.body()).doesNotContain("xxxxxxxx");
    assertThat(count("SELECT COUNT(*) FROM credentials WHERE name = 'BIGGER'")).isZero();
  }

  @Test
  void duplicateNamesInOneKind_areAConflict_butAnotherKindMayUseTheName() {
    ok(
        send(
            "POST",
            "/api/v1/secrets",
            admin,
            Map.of("kind", "gemini", "name", "prod", "value", "value-0123456789abcdef")),
        201);
    HttpResponse<String> dup =
        send(
            "POST",
            "/api/v1/secrets",
            admin,
            Map.of("kind", "gemini", "name", "prod", "value", "other-0123456789abcdef"));
    assertThat(dup.statusCode()).isEqualTo(409);
    assertThat(json(dup).get("message").asText())
        .contains("kind 'gemini'")
        .contains("'prod'")
        .doesNotContain("other-0123");
    ok(
        send(
            "POST",
            "/api/v1/secrets",
            admin,
            Map.of("kind", "openai", "name", "prod", "value", "other-0123456789abcdef")),
        201);
    assertThat(
            count(
                "SELECT COUNT(*) FROM credentials WHERE name = 'prod' AND tenant_id = '"
                    + acme.tenant().id().value()
                    + "'"))
        .isEqualTo(2);
  }

  @Test
  void membersCannotManageSecrets() {
    String bob = member("bob");
    assertThat(k.get("/api/v1/secrets", bob).statusCode()).isEqualTo(403);
    assertThat(
            send(
                    "POST",
                    "/api/v1/secrets",
                    bob,
                    Map.of("kind", "gemini", "name", "x", "value", "v"))
                .statusCode())
        .isEqualTo(403);
  }

  /** Every column of every row of {@code table}, as one text. */
  String dbText(String table) {
    return k.keyroom
        .db()
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT * FROM " + table).mapToMap().list().toString());
  }
}
