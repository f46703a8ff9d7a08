package dev.keyroom.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An OAuth login reaches its own user's sessions as the catalog says (fresh, refreshed when due),
 * and nobody else's.
 */
class OAuthSessionDeliveryTest {
  @TempDir Path dir;

  @Test
  void sessionGetsItsUsersFreshAccessTokenAndOtherUsersGetNothing() {
    try (OAuthWorld world = new OAuthWorld();
        TestKeyroom k =
            TestKeyroom.start(
                TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)),
                c -> world.configure(c, true))) {
      Tenancy.Founded acme = k.tenant("acme");
      TenantId tenant = acme.tenant().id();
      String admin = acme.adminToken().token();
      String service = k.keyroom.tokens().issueService(tenant, "platform", "test").token();
      UserId mia = k.keyroom.tenancy().createUser(tenant, "mia", Role.MEMBER, "test").id();
      String miaToken = k.keyroom.tokens().issueForUser(tenant, mia, "t", "test").token();
      UserId bo = k.keyroom.tenancy().createUser(tenant, "bo", Role.MEMBER, "test").id();

      HttpResponse<String> done = new Browser(k.url()).connect(miaToken, "generic", null);
      assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
      CredentialId id = new CredentialId(Browser.json(done).at("/connected/id").asText());

      HttpResponse<String> wr =
          k.post(
              "/api/v1/workrooms",
              admin,
              "{\"name\":\"Main\",\"tools\":[{\"kind\":\"oauth2\"}],"
                  + "\"members\":[{\"name\":\"mia\"},{\"name\":\"bo\"}]}");
      assertThat(wr.statusCode()).as(wr.body()).isEqualTo(201);
      String workroom = Browser.json(wr).get("id").asText();

      // Both consent that the platform's sessions in this workroom may use their own integrations.
      assertThat(k.send("PUT", "/api/v1/me/consents/" + workroom, miaToken, null).statusCode())
          .isEqualTo(200);
      String boToken = k.keyroom.tokens().issueForUser(tenant, bo, "t", "test").token();
      assertThat(k.send("PUT", "/api/v1/me/consents/" + workroom, boToken, null).statusCode())
          .isEqualTo(200);
      JsonNode miaSession = started(k, service, workroom, mia);
      String first = var(environment(k, miaSession), "OAUTH_ACCESS_TOKEN");
      assertThat(first).isNotNull();
      assertThat(world.issuedTokens).contains(first);

      JsonNode boSession = started(k, service, workroom, bo);
      HttpResponse<String> boEnv =
          k.get(
              "/api/v1/sessions/" + boSession.get("id").asText() + "/environment",
              boSession.get("sessionToken").asText());
      assertThat(boEnv.statusCode()).isEqualTo(200);
      assertThat(var(Browser.json(boEnv), "OAUTH_ACCESS_TOKEN")).isNull();
      for (String t : world.issuedTokens) {
        assertThat(boEnv.body()).doesNotContain(t);
      }

      // Expired: the next environment retrieval refreshes first and hands out the new token.
      k.keyroom
          .db()
          .jdbi()
          .useHandle(
              h ->
                  h.createUpdate(
                          "UPDATE oauth_integrations SET expires_at = 1 WHERE credential_id = :id")
                      .bind("id", id.value())
                      .execute());
      String second = var(environment(k, miaSession), "OAUTH_ACCESS_TOKEN");
      assertThat(world.refreshGrants).hasValue(1);
      assertThat(second).isNotEqualTo(first);

      // Disconnect: the session holding the token is reached through the vault's change event.
      assertThat(
              k.send("DELETE", "/api/v1/me/integrations/" + id.value() + "/oauth", miaToken, null)
                  .statusCode())
          .isEqualTo(200);
      HttpResponse<String> after =
          k.get(
              "/api/v1/sessions/" + miaSession.get("id").asText() + "/environment",
              miaSession.get("sessionToken").asText());
      assertThat(after.body()).doesNotContain(second).doesNotContain(first);
    }
  }

  static JsonNode started(TestKeyroom k, String service, String workroom, UserId user) {
    HttpResponse<String> r =
        k.post(
            "/api/v1/workrooms/" + workroom + "/sessions",
            service,
            "{\"userId\":\"" + user.value() + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Browser.json(r);
  }

  static JsonNode environment(TestKeyroom k, JsonNode session) {
    HttpResponse<String> r =
        k.get(
            "/api/v1/sessions/" + session.get("id").asText() + "/environment",
            session.get("sessionToken").asText());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Browser.json(r);
  }

  static String var(JsonNode env, String name) {
    for (JsonNode v : env.get("variables")) {
      if (v.get("name").asText().equals(name)) {
        return v.get("value").asText();
      }
    }
    return null;
  }
}
