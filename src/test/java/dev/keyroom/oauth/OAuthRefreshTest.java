package dev.keyroom.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.UnavailableException;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refreshing: one caller at a time, rotation, transient failures and invalid_grant — against the
 * counting token endpoint in front of the real OAuth server.
 */
class OAuthRefreshTest {
  @TempDir Path dir;
  OAuthWorld world;
  TestKeyroom k;
  TenantId tenant;
  UserId mia;
  String miaToken;
  CredentialId id;
  LogCapture logs;

  @BeforeEach
  void connect() {
    logs = LogCapture.begin();
    world = new OAuthWorld();
    k =
        TestKeyroom.start(
            TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)), c -> world.configure(c, true));
    Tenancy.Founded acme = k.tenant("acme");
    tenant = acme.tenant().id();
    adminToken = acme.adminToken().token();
    mia = k.keyroom.tenancy().createUser(tenant, "mia", Role.MEMBER, "test").id();
    miaToken = k.keyroom.tokens().issueForUser(tenant, mia, "t", "test").token();
    HttpResponse<String> done = new Browser(k.url()).connect(miaToken, "generic", null);
    assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
    id = new CredentialId(Browser.json(done).at("/connected/id").asText());
    assertThat(world.codeGrants).hasValue(1);
    k.keyroom.oauth().refresher().backoffMs = 20;
  }

  @AfterEach
  void stop() {
    k.close();
    world.close();
    logs.close();
  }

  void expire() {
    k.keyroom
        .db()
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "UPDATE oauth_integrations SET expires_at = 1 WHERE credential_id = :id")
                    .bind("id", id.value())
                    .execute());
  }

  JsonNode view() {
    HttpResponse<String> r = k.get("/api/v1/me/integrations/" + id.value() + "/oauth", miaToken);
    assertThat(r.statusCode()).isEqualTo(200);
    return Browser.json(r);
  }

  @Test
  void fiftyConcurrentCallersCauseExactlyOneRefresh() throws Exception {
    SecretValue before = k.keyroom.oauth().freshAccessToken(tenant, mia, id);
    expire();
    world.refreshDelayMs = 300;
    ExecutorService pool = Executors.newFixedThreadPool(50);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      results.add(
          pool.submit(
              () -> {
                go.await();
                return k.keyroom.oauth().freshAccessToken(tenant, mia, id).revealUtf8();
              }));
    }
    go.countDown();
    Set<String> tokens = new HashSet<>();
    for (Future<String> f : results) {
      tokens.add(f.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertThat(world.refreshGrants).hasValue(1);
    assertThat(tokens).hasSize(1).doesNotContain(before.revealUtf8());
    assertThat(world.issuedTokens).contains(tokens.iterator().next());
    assertThat(view().get("status").asText()).isEqualTo("healthy");
  }

  @Test
  void backgroundPassRefreshesTokensBeforeTheyExpire() {
    k.keyroom
        .db()
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "UPDATE oauth_integrations SET expires_at = :e WHERE credential_id = :id")
                    .bind("e", System.currentTimeMillis() + 120_000)
                    .bind("id", id.value())
                    .execute());
    assertThat(k.keyroom.oauth().refreshDue(java.time.Duration.ofMinutes(1))).isZero();
    assertThat(k.keyroom.oauth().refreshDue(java.time.Duration.ofMinutes(5))).isEqualTo(1);
    assertThat(world.refreshGrants).hasValue(1);
    assertThat(view().get("expiresAt").asLong())
        .isGreaterThan(System.currentTimeMillis() + 3_000_000);
    // A grant not refreshed for a day is refreshed even though its token is still good.
    k.keyroom
        .db()
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "UPDATE oauth_integrations SET refreshed_at = 1 WHERE credential_id = :id")
                    .bind("id", id.value())
                    .execute());
    assertThat(k.keyroom.oauth().refreshDue(java.time.Duration.ofMinutes(5))).isEqualTo(1);
    assertThat(world.refreshGrants).hasValue(2);
  }

  @Test
  void rotatedRefreshTokenReplacesTheOldOneAtomically() {
    for (int i = 1; i <= 3; i++) {
      expire();
      k.keyroom.oauth().freshAccessToken(tenant, mia, id);
      assertThat(world.refreshGrants).hasValue(i);
    }
    // Each refresh used the newest refresh token: the fake endpoint accepts each one exactly once.
    assertThat(world.validRefreshTokens).hasSize(1);
    assertThat(view().get("status").asText()).isEqualTo("healthy");
    // Superseded ciphertexts (old refresh tokens) are not kept.
    int versions =
        k.keyroom
            .db()
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT COUNT(*) FROM credential_versions WHERE credential_id = :id")
                        .bind("id", id.value())
                        .mapTo(Integer.class)
                        .one());
    assertThat(versions).isEqualTo(1);
  }

  @Test
  void transientFailureIsRetriedAndTheIntegrationStaysHealthy() {
    expire();
    world.script(500);
    SecretValue t = k.keyroom.oauth().freshAccessToken(tenant, mia, id);
    assertThat(world.refreshGrants).hasValue(2);
    assertThat(world.issuedTokens).contains(t.revealUtf8());
    assertThat(view().get("status").asText()).isEqualTo("healthy");
  }

  @Test
  void providerDownForLongerStaysHealthyAndSays503() {
    expire();
    world.script(503, 503, 503, 503);
    assertThatThrownBy(() -> k.keyroom.oauth().freshAccessToken(tenant, mia, id))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("stays connected");
    assertThat(world.refreshGrants).hasValue(4);
    JsonNode v = view();
    assertThat(v.get("status").asText()).isEqualTo("healthy");
    assertThat(v.get("lastError").asText()).isEqualTo("server_error");
    // And it recovers on the next call.
    k.keyroom.oauth().freshAccessToken(tenant, mia, id);
    assertThat(view().get("lastError").isNull()).isTrue();
  }

  @Test
  void invalidGrantMarksNeedsReconnectVisiblyAndAudited() {
    expire();
    world.validRefreshTokens.clear();
    assertThatThrownBy(() -> k.keyroom.oauth().freshAccessToken(tenant, mia, id))
        .isInstanceOf(NeedsReconnectException.class)
        .hasMessageContaining("needs reconnect");
    JsonNode v = view();
    assertThat(v.get("status").asText()).isEqualTo("needs_reconnect");
    assertThat(v.get("statusReason").asText()).isEqualTo("invalid_grant");
    HttpResponse<String> refresh =
        k.post("/api/v1/me/integrations/" + id.value() + "/oauth/refresh", miaToken, null);
    assertThat(refresh.statusCode()).isEqualTo(409);
    assertThat(Browser.json(refresh).get("error").asText()).isEqualTo("needs_reconnect");
    HttpResponse<String> audit =
        k.get("/api/v1/audit?action=integration.oauth.needs_reconnect", adminToken);
    assertThat(audit.body()).contains(id.value());

    // Reconnecting the same integration makes it healthy again, same id.
    HttpResponse<String> again =
        new Browser(k.url())
            .connect(miaToken, "generic", "{\"integrationId\":\"" + id.value() + "\"}");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(Browser.json(again).at("/connected/id").asText()).isEqualTo(id.value());
    assertThat(view().get("status").asText()).isEqualTo("healthy");
  }

  @Test
  void invalidGrantIsReReadFirstWhenAnotherNodeRefreshedMeanwhile() {
    expire();
    var scope = dev.keyroom.vault.CredentialScope.integrationsOf(tenant, mia);
    SecretValue otherNodes = SecretValue.ofUtf8("canary-at-other-node-0b7e4d");
    IntegrationStates states = new IntegrationStates(k.keyroom.db());
    // While this node's refresh is at the provider, "another node" stores newer tokens, and the
    // provider refuses this node's (now rotated-away) refresh token.
    world.beforeRefreshAnswer =
        () -> {
          world.beforeRefreshAnswer = () -> {};
          TokenBundle current = k.keyroom.oauth().refresher().open(scope, id);
          TokenBundle newer =
              new TokenBundle(
                  otherNodes,
                  SecretValue.ofUtf8("canary-rt-other-node-51c2"),
                  "Bearer",
                  System.currentTimeMillis() + 3_600_000,
                  current.scopes());
          k.keyroom
              .vault()
              .renew(
                  scope,
                  id,
                  newer.toSecret(),
                  "test:other-node",
                  h ->
                      states.refreshed(
                          h,
                          id,
                          newer.expiresAt(),
                          newer.scopes(),
                          true,
                          System.currentTimeMillis()));
        };
    world.script(400);
    SecretValue got = k.keyroom.oauth().freshAccessToken(tenant, mia, id);
    assertThat(got.equalsSecret(otherNodes)).isTrue();
    assertThat(view().get("status").asText()).isEqualTo("healthy");
    assertThat(k.get("/api/v1/audit?action=integration.oauth.needs_reconnect", adminToken).body())
        .doesNotContain(id.value());
  }

  String adminToken;

  @Test
  void noTokenReachesLogsResponsesOrTheDatabase() throws Exception {
    expire();
    k.keyroom.oauth().freshAccessToken(tenant, mia, id);
    List<String> bodies = new ArrayList<>();
    bodies.add(k.get("/api/v1/me/integrations/" + id.value() + "/oauth", miaToken).body());
    bodies.add(k.get("/api/v1/me/integrations", miaToken).body());
    bodies.add(k.get("/api/v1/audit", adminToken).body());
    String db =
        new String(
            Files.readAllBytes(dir.resolve("keyroom.db")),
            java.nio.charset.StandardCharsets.ISO_8859_1);
    if (Files.exists(dir.resolve("keyroom.db-wal"))) {
      db +=
          new String(
              Files.readAllBytes(dir.resolve("keyroom.db-wal")),
              java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    String ourLogs =
        String.join(
            "\n",
            logs.lines().stream()
                .filter(l -> !l.startsWith("no.nav") && !l.startsWith("mockwebserver"))
                .toList());
    List<String> secrets = new ArrayList<>(world.issuedTokens);
    secrets.add(OAuthWorld.CLIENT_SECRET);
    assertThat(world.signInSecrets).hasSize(2).doesNotContainNull();
    secrets.addAll(world.signInSecrets);
    assertThat(secrets).hasSizeGreaterThan(5);
    assertThat(ourLogs)
        .doesNotContain("code=")
        .doesNotContain("state=")
        .doesNotContain("code_verifier");
    for (String s : secrets) {
      assertThat(ourLogs).doesNotContain(s);
      assertThat(String.join("\n", bodies)).doesNotContain(s);
      assertThat(db).doesNotContain(s);
    }
  }

  static <T> T call(Callable<T> c) throws Exception {
    return c.call();
  }
}
