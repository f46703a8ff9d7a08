package dev.keyroom.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialChange;
import dev.keyroom.vault.CredentialId;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connecting, using, refreshing and disconnecting an OAuth login against a real OAuth server, over
 * HTTP.
 */
class OAuthConnectFlowTest {
  @TempDir Path dir;
  OAuthWorld world;
  TestKeyroom k;
  Tenancy.Founded acme;
  String member;
  UserId memberId;
  LogCapture logs;
  final List<String> responses = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    logs = LogCapture.begin();
    world = new OAuthWorld();
    k =
        TestKeyroom.start(
            TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)), c -> world.configure(c, false));
    acme = k.tenant("acme");
    memberId = k.keyroom.tenancy().createUser(acme.tenant().id(), "mia", Role.MEMBER, "test").id();
    member = k.keyroom.tokens().issueForUser(acme.tenant().id(), memberId, "t", "test").token();
  }

  @AfterEach
  void stop() {
    k.close();
    world.close();
    logs.close();
  }

  private HttpResponse<String> keep(HttpResponse<String> r) {
    responses.add(r.headers().map().toString() + "\n" + r.body());
    return r;
  }

  @Test
  void connectsWithPkceShowsAccountAndNeverAToken() {
    Browser b = new Browser(k.url());
    HttpResponse<String> started = keep(b.start(member, "generic", "{\"name\":\"idp\"}"));
    assertThat(started.statusCode()).isEqualTo(201);
    String authUrl = Browser.authorizationUrl(started);
    Map<String, String> q = OAuthWorld.query(authUrl);
    assertThat(q)
        .containsEntry("response_type", "code")
        .containsEntry("code_challenge_method", "S256")
        .containsEntry("client_id", OAuthWorld.CLIENT_ID)
        .containsEntry("redirect_uri", k.url() + "/oauth/callback")
        .containsKeys("state", "nonce", "code_challenge");
    assertThat(started.headers().firstValue("Set-Cookie"))
        .hasValueSatisfying(
            c ->
                assertThat(c)
                    .startsWith("keyroom_oauth=")
                    .contains("HttpOnly")
                    .contains("SameSite=Lax"));

    String back = b.authorize(authUrl);
    assertThat(back).startsWith(k.url() + "/oauth/callback?");
    String code = OAuthWorld.query(back).get("code");
    HttpResponse<String> done = keep(b.get(back));
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    JsonNode view = Browser.json(done).get("connected");
    assertThat(view.get("connectedAs").asText()).isEqualTo("connected as " + OAuthWorld.SUBJECT);
    assertThat(view.get("status").asText()).isEqualTo("healthy");
    assertThat(view.get("scopes").toString()).contains("openid");
    assertThat(view.get("expiresAt").asLong()).isGreaterThan(System.currentTimeMillis());
    assertThat(view.get("refreshable").asBoolean()).isTrue();
    String id = view.get("id").asText();

    HttpResponse<String> shown = keep(k.get("/api/v1/me/integrations/" + id + "/oauth", member));
    assertThat(shown.statusCode()).isEqualTo(200);
    assertThat(keep(k.get("/api/v1/me/integrations/oauth/connections", member)).body())
        .contains(id);
    assertThat(keep(k.get("/api/v1/me/integrations", member)).body())
        .contains(id)
        .contains("oauth2");

    // A fresh token for the user's own session, then an on-demand refresh at the real server.
    SecretValue token =
        k.keyroom.oauth().freshAccessToken(acme.tenant().id(), memberId, new CredentialId(id));
    assertThat(token.revealUtf8()).isNotBlank();
    HttpResponse<String> refreshed =
        keep(k.post("/api/v1/me/integrations/" + id + "/oauth/refresh", member, null));
    assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
    SecretValue after =
        k.keyroom.oauth().freshAccessToken(acme.tenant().id(), memberId, new CredentialId(id));
    assertThat(after.equalsSecret(token)).isFalse();
    assertThat(keep(k.get("/api/v1/me/integrations/" + id + "/oauth", member)).body())
        .contains("\"lastUsed\":{");

    // Replaying the provider's redirect is refused: the state was single-use.
    HttpResponse<String> replay = keep(b.get(back));
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(Browser.json(replay).get("error").asText()).isEqualTo("state_invalid");

    // Disconnect: gone at once, revoked at the provider, change event fired.
    List<CredentialChange> changes = new ArrayList<>();
    k.keyroom.vault().onChange(changes::add);
    HttpResponse<String> gone =
        keep(k.send("DELETE", "/api/v1/me/integrations/" + id + "/oauth", member, null));
    assertThat(gone.statusCode()).as(gone.body()).isEqualTo(200);
    assertThat(Browser.json(gone).at("/revocation/ok").asBoolean()).as(gone.body()).isTrue();
    assertThat(changes)
        .singleElement()
        .satisfies(c -> assertThat(c.type()).isEqualTo(CredentialChange.Type.DELETED));
    assertThat(keep(k.get("/api/v1/me/integrations/" + id + "/oauth", member)).statusCode())
        .isEqualTo(404);

    assertNoLeak(List.of(token.revealUtf8(), after.revealUtf8(), code, OAuthWorld.CLIENT_SECRET));
  }

  void assertNoLeak(List<String> secrets) {
    String db;
    try {
      db =
          new String(
              Files.readAllBytes(dir.resolve("keyroom.db")),
              java.nio.charset.StandardCharsets.ISO_8859_1);
      Path wal = dir.resolve("keyroom.db-wal");
      if (Files.exists(wal)) {
        db += new String(Files.readAllBytes(wal), java.nio.charset.StandardCharsets.ISO_8859_1);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String ourLogs =
        String.join(
            "\n",
            logs.lines().stream()
                .filter(
                    l ->
                        !l.startsWith("no.nav")
                            && !l.startsWith("mockwebserver")
                            && !l.startsWith("okhttp3"))
                .toList());
    for (String s : secrets) {
      assertThat(ourLogs).as("logs").doesNotContain(s);
      assertThat(String.join("\n", responses)).as("responses").doesNotContain(s);
      assertThat(db).as("database file").doesNotContain(s);
    }
  }
}
