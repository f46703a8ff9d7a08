package dev.keyroom.attack;

import static dev.keyroom.testing.JsonResponses.ok;
import static dev.keyroom.testing.JsonResponses.var;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Disabling a user ends everything they hold, at once and in one transaction: live sessions
 * (environment, git credential, proxy placeholders, event streams) and web sign-ins — not just
 * their API tokens.
 */
abstract class DisablingAUserEndsAllTheirAccess extends AttackSuite {
  private static final String PW = "db-password-of-the-team-0001";
  private static final String GIT = "test-git-token-disabledUsersGitToken00000000001";

  @Test
  void disablingEndsSessionsPlaceholdersStreamsAndWebSignIns() throws Exception {
    Tenant t = tenant();
    Tenant.Person bob = t.member("bob");
    String openai = t.secret("openai", "prod", "test-openai-key-realOpenAiKey-000000000000000001");
    String pw = t.secret("database-password", "orders", PW);
    t.integration(bob, "git-token", "github", GIT);
    String wr =
        t.workroom(
            "{\"name\":\"Ops\",\"tools\":[{\"kind\":\"openai\",\"secretId\":\""
                + openai
                + "\"},"
                + "{\"kind\":\"git-token\"}],\"network\":{\"endpoints\":[{\"name\":\"orders\",\"host\":\"db.internal\","
                + "\"port\":5432,\"protocol\":\"postgres\",\"passwordSecretId\":\""
                + pw
                + "\",\"user\":\"app\",\"database\":\"orders\"}]}}",
            bob);
    Tenant.Session s = t.startAsSelf(wr, bob);
    JsonNode env = ok(t.environment(s), 200);
    assertThat(var(env, "PGPASSWORD")).isEqualTo(PW);
    String placeholder = var(env, "OPENAI_API_KEY");
    assertThat(proxy(placeholder).statusCode()).isEqualTo(200);
    assertThat(t.gitCredential(s, "github.com").statusCode()).isEqualTo(200);
    String cookie =
        k.keyroom.browserSessions().open(t.founded.tenant().id(), bob.user().id(), "password");
    assertThat(web(cookie).statusCode()).isEqualTo(200);

    HttpResponse<InputStream> events =
        k.http.send(
            HttpRequest.newBuilder(URI.create(k.url() + "/api/v1/sessions/" + s.id() + "/events"))
                .header("Authorization", "Bearer " + s.token())
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8));
    assertThat(lines.readLine()).isEqualTo("event: ready");
    CompletableFuture<String> ended =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String line; (line = lines.readLine()) != null; ) {
                  if (line.equals("event: ended")) {
                    return lines.readLine();
                  }
                }
                return null;
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });

    ok(k.post("/api/v1/users/" + bob.id() + "/disable", t.admin, null), 200);

    assertThat(ended.get(5, TimeUnit.SECONDS)).contains("user disabled");
    assertThat(t.environment(s).statusCode()).isEqualTo(403);
    assertThat(t.environment(s).body()).doesNotContain(PW);
    assertThat(k.get("/api/v1/sessions/" + s.id() + "/environment", t.service).statusCode())
        .isEqualTo(403);
    assertThat(t.gitCredential(s, "github.com").statusCode()).isEqualTo(403);
    assertThat(proxy(placeholder).statusCode()).isEqualTo(403);
    assertThat(web(cookie).statusCode()).isEqualTo(302);
    JsonNode session = ok(k.get("/api/v1/sessions/" + s.id(), t.admin), 200);
    assertThat(session.get("endReason").asText()).isEqualTo("user disabled");
    int webSignIns =
        k.keyroom
            .db()
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM web_sessions WHERE user_id = :u")
                        .bind("u", bob.id())
                        .mapTo(Integer.class)
                        .one());
    assertThat(webSignIns).isZero();
    int unwiped =
        k.keyroom
            .db()
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT COUNT(*) FROM session_deliveries WHERE session_id = :s AND wiped_at IS NULL")
                        .bind("s", s.id())
                        .mapTo(Integer.class)
                        .one());
    assertThat(unwiped).isZero();
  }

  @Test
  void aSessionOfADisabledUserIsRefusedEvenIfItsEndWasNotRecorded() {
    Tenant t = tenant();
    Tenant.Person carol = t.member("carol");
    String pw = t.secret("database-password", "orders", PW);
    String wr =
        t.workroom(
            "{\"name\":\"Ops\",\"tools\":[],\"network\":{\"endpoints\":[{\"name\":\"orders\",\"host\":\"db\","
                + "\"port\":5432,\"protocol\":\"postgres\",\"passwordSecretId\":\""
                + pw
                + "\",\"user\":\"app\",\"database\":\"o\"}]}}",
            carol);
    Tenant.Session s = t.startAsSelf(wr, carol);
    assertThat(t.environment(s).statusCode()).isEqualTo(200);
    // A status written straight into the store (another node, a restore): no session row was ended.
    k.keyroom
        .db()
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate("UPDATE users SET status = 'disabled' WHERE id = :u")
                    .bind("u", carol.id())
                    .execute());
    var res = t.environment(s);
    assertThat(res.statusCode()).isEqualTo(403);
    assertThat(res.body()).doesNotContain(PW).contains("disabled");
  }

  private HttpResponse<String> proxy(String placeholder) throws Exception {
    return k.http.send(
        HttpRequest.newBuilder(URI.create(k.url() + "/proxy/openai/v1/models"))
            .header("Authorization", "Bearer " + placeholder)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> web(String cookie) throws Exception {
    return k.http.send(
        HttpRequest.newBuilder(URI.create(k.url() + "/profile/integrations"))
            .header("Cookie", "keyroom_session=" + cookie)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
