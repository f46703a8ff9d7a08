package dev.keyroom.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyroom.error.NotFoundException;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's OAuth login is theirs alone: an admin of the same tenant, another member and another
 * tenant all get 404.
 */
class OAuthIsolationTest {
  @TempDir Path dir;

  @Test
  void everyRouteAnswers404ToEveryoneButTheOwner() {
    try (OAuthWorld world = new OAuthWorld();
        TestKeyroom k =
            TestKeyroom.start(
                TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)),
                c -> world.configure(c, true))) {
      Tenancy.Founded acme = k.tenant("acme");
      TenantId tenant = acme.tenant().id();
      UserId mia = k.keyroom.tenancy().createUser(tenant, "mia", Role.MEMBER, "test").id();
      String miaToken = k.keyroom.tokens().issueForUser(tenant, mia, "t", "test").token();
      UserId bo = k.keyroom.tenancy().createUser(tenant, "bo", Role.MEMBER, "test").id();
      String boToken = k.keyroom.tokens().issueForUser(tenant, bo, "t", "test").token();
      String acmeAdmin = acme.adminToken().token();
      String otherAdmin = k.tenant("globex").adminToken().token();

      HttpResponse<String> done = new Browser(k.url()).connect(miaToken, "generic", null);
      assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
      String id = Browser.json(done).at("/connected/id").asText();

      for (String intruder : List.of(acmeAdmin, boToken, otherAdmin)) {
        String[][] routes = {
          {"GET", "/api/v1/me/integrations/" + id + "/oauth", null},
          {"POST", "/api/v1/me/integrations/" + id + "/oauth/refresh", null},
          {"POST", "/api/v1/me/integrations/" + id + "/test", null},
          {"DELETE", "/api/v1/me/integrations/" + id + "/oauth", null},
          {"GET", "/api/v1/me/integrations/" + id, null},
          {
            "PUT",
            "/api/v1/me/integrations/" + id + "/value",
            "{\"value\":\"overwrite-attempt-0123456789\"}"
          },
          {"POST", "/api/v1/me/integrations/" + id + "/revoke", null},
          {"DELETE", "/api/v1/me/integrations/" + id, null},
          {
            "POST",
            "/api/v1/me/integrations/oauth/generic/start",
            "{\"integrationId\":\"" + id + "\"}"
          },
        };
        for (String[] r : routes) {
          HttpResponse<String> res = k.send(r[0], r[1], intruder, r[2]);
          assertThat(res.statusCode()).as(r[0] + " " + r[1] + " -> " + res.body()).isEqualTo(404);
        }
        assertThat(k.get("/api/v1/me/integrations/oauth/connections", intruder).body())
            .doesNotContain(id);
        assertThat(k.get("/api/v1/me/integrations", intruder).body()).doesNotContain(id);
      }
      assertThatThrownBy(() -> k.keyroom.oauth().freshAccessToken(tenant, bo, new CredentialId(id)))
          .isInstanceOf(NotFoundException.class);
      // Still there, still healthy, for its owner.
      HttpResponse<String> mine = k.get("/api/v1/me/integrations/" + id + "/oauth", miaToken);
      assertThat(mine.statusCode()).isEqualTo(200);
      assertThat(Browser.json(mine).get("status").asText()).isEqualTo("healthy");
      assertThat(world.refreshGrants).hasValue(0);
      assertThat(world.revocations).hasValue(0);

      // The owner revokes it through the vault: it shows as revoked and is no longer handed out.
      assertThat(k.post("/api/v1/me/integrations/" + id + "/revoke", miaToken, null).statusCode())
          .isEqualTo(200);
      assertThat(
              Browser.json(k.get("/api/v1/me/integrations/" + id + "/oauth", miaToken))
                  .get("status")
                  .asText())
          .isEqualTo("revoked");
      assertThatThrownBy(
              () -> k.keyroom.oauth().freshAccessToken(tenant, mia, new CredentialId(id)))
          .isInstanceOf(dev.keyroom.error.KeyroomException.class);
    }
  }
}
