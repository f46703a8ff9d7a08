package dev.keyroom.apiclient;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.app.Config;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.tenancy.ApiTokens;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.JsonResponses;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.usage.UsageMeterTest;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document cannot drift from the server: one walk calls every documented operation of a
 * running Keyroom (real SQLite, a fake Gemini and git host, a real OAuth server) as the roles that
 * use it, and every answer — successes and refusals alike — must have a documented status and match
 * its schema (required fields present, types and nulls as documented, no undocumented field). Every
 * operation must answer with a 2xx at least once, so a new route needs a step here. Request bodies
 * are held to the document too: each field it marks required is refused when missing, and the
 * minimal bodies (required fields only) are accepted.
 */
class ResponsesMatchTheDocumentTest {
  private static final String GEMINI_KEY = "canary-gemini-key-6f1e2d3c4b5a69788796";
  private static final String GIT_TOKEN = "canary-git-token-0a9b8c7d6e5f4a3b2c1d";
  private static final String OAUTH_ISSUER = "tour";
  private static final String OAUTH_CLIENT = "keyroom-tour";

  @TempDir Path dir;
  private FakeUpstream upstream;
  private MockOAuth2Server oauth;
  private TestKeyroom k;
  private CheckedApi api;
  private String admin;
  private String service;
  private String adminId;
  private TenantId tenant;

  @BeforeEach
  void start() {
    upstream =
        new FakeUpstream()
            .on("/v1beta/models", (ex, seen) -> FakeUpstream.json(ex, 200, UsageMeterTest.GEMINI))
            .on("/user", (ex, seen) -> FakeUpstream.json(ex, 200, "{\"login\":\"mia-on-git\"}"));
    oauth =
        new MockOAuth2Server(
            new OAuth2Config(
                false,
                null,
                null,
                false,
                new OAuth2TokenProvider(),
                Set.of(
                    new DefaultOAuth2TokenCallback(
                        OAUTH_ISSUER,
                        "mia@example.com",
                        "JWT",
                        List.of(OAUTH_CLIENT),
                        Map.of(),
                        3600))));
    oauth.start();
    Config config =
        TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
            .withUpstream("gemini", upstream.url())
            .with(Config.Setting.GIT_API_URL, upstream.url())
            .withOAuth("generic", "client-id", OAUTH_CLIENT)
            .withOAuth("generic", "client-secret", "tour-client-secret-5e4d3c2b1a")
            .withOAuth(
                "generic", "authorize-url", oauth.authorizationEndpointUrl(OAUTH_ISSUER).toString())
            .withOAuth("generic", "token-url", oauth.tokenEndpointUrl(OAUTH_ISSUER).toString())
            .withOAuth(
                "generic", "revocation-url", oauth.revocationEndpointUrl(OAUTH_ISSUER).toString())
            .withOAuth("generic", "userinfo-url", oauth.userInfoUrl(OAUTH_ISSUER).toString())
            .withOAuth("generic", "issuer", oauth.issuerUrl(OAUTH_ISSUER).toString())
            .withOAuth("generic", "oidc", "true")
            .withOAuth("generic", "scopes", "openid profile offline_access")
            .withOAuth("generic", "account-claim", "sub")
            .with(Config.Setting.OAUTH_REFRESH_INTERVAL, "0");
    k = TestKeyroom.start(config, c -> c);
    api = new CheckedApi(k, OpenApiContract.load());
    Tenancy.Founded founded = k.tenant("tour");
    admin = founded.adminToken().token();
    adminId = founded.admin().id().value();
    tenant = founded.tenant().id();
    service = k.keyroom.tokens().issueService(founded.tenant().id(), "platform", "test").token();
  }

  @AfterEach
  void stop() {
    k.close();
    oauth.shutdown();
    upstream.close();
  }

  @Test
  void everyOperationAnswersAsDocumented() throws Exception {
    api.get("/api/v1/openapi.json", null);
    api.get("/api/v1/me", admin);
    api.get("/api/v1/me", service);
    api.call("GET", "/api/v1/me", null, null, 401);
    api.get("/api/v1/catalog", admin);

    String mia = users();
    String miaToken = tokenFor(mia);
    tokens();
    String gemini = secrets(miaToken);
    skills();
    String workroom = workrooms(gemini, mia, miaToken);
    consents(workroom, miaToken);
    integrations(miaToken);
    oauthConnection(miaToken);
    sessions(workroom, mia, miaToken);
    api.get("/api/v1/audit?limit=5", admin);
    api.call("GET", "/api/v1/audit?limit=0", admin, null, 400);
    api.call("GET", "/api/v1/audit", miaToken, null, 403);
    assertThat(api.get("/api/v1/audit/verify", admin).get("intact").asBoolean()).isTrue();

    assertThat(api.violations())
        .as("answers that differ from src/main/resources/api/openapi.json")
        .isEmpty();
    assertThat(api.withoutSuccess())
        .as("documented operations this walk never saw succeed: add a step for each")
        .isEmpty();
  }

  /**
   * Users: create (minimal and full), read, change role, invite, disable. Returns the member mia's
   * id.
   */
  private String users() {
    api.requiredFieldsAreRefusedWhenMissing(
        "POST", "/api/v1/users", admin, "{\"name\":\"nobody\",\"role\":\"member\"}");
    String mia =
        api.call("POST", "/api/v1/users", admin, "{\"name\":\"mia\"}", 201).get("id").asText();
    api.call("POST", "/api/v1/users", admin, "{\"name\":\"mia\"}", 409);
    String bo =
        api.call("POST", "/api/v1/users", admin, "{\"name\":\"bo\",\"role\":\"member\"}", 201)
            .get("id")
            .asText();
    api.get("/api/v1/users", admin);
    api.get("/api/v1/users", service);
    api.get("/api/v1/users/" + mia, admin);
    api.call("GET", "/api/v1/users/usr_nosuchuser", admin, null, 404);
    api.requiredFieldsAreRefusedWhenMissing(
        "PATCH", "/api/v1/users/" + bo, admin, "{\"role\":\"member\"}");
    api.call("PATCH", "/api/v1/users/" + bo, admin, "{\"role\":\"admin\"}", 200);
    api.call("PATCH", "/api/v1/users/" + bo, admin, "{\"role\":\"member\"}", 200);
    api.call("POST", "/api/v1/users/" + bo + "/one-time-password", admin, null, 201);
    String cy =
        api.call("POST", "/api/v1/users", admin, "{\"name\":\"cy\"}", 201).get("id").asText();
    api.call("POST", "/api/v1/users/" + cy + "/disable", admin, null, 200);
    api.call("POST", "/api/v1/users", admin, "{\"name\":\"bad name\"}", 400);
    return mia;
  }

  /**
   * A member's own API token (people create theirs after signing in: web UI or POST
   * /api/v1/me/tokens).
   */
  private String tokenFor(String userId) {
    return k.keyroom.tokens().issueForUser(tenant, UserId.parse(userId), "laptop", "test").token();
  }

  /** The caller's API tokens and the tenant's service tokens. */
  private void tokens() {
    api.get("/api/v1/me/tokens", admin);
    api.requiredFieldsAreRefusedWhenMissing(
        "POST", "/api/v1/me/tokens", admin, "{\"name\":\"ci\"}");
    String id =
        api.call("POST", "/api/v1/me/tokens", admin, "{\"name\":\"ci\"}", 201).get("id").asText();
    api.call("DELETE", "/api/v1/me/tokens/" + id, admin, null, 204);
    api.call("GET", "/api/v1/me/tokens", service, null, 403);
    api.get("/api/v1/service-tokens", admin);
    ApiTokens.Issued second = k.keyroom.tokens().issueService(tenant, "second", "test");
    api.call("DELETE", "/api/v1/service-tokens/" + second.id().value(), admin, null, 204);
  }

  /** Config → Secrets. Returns the id of the Gemini key the workroom uses. */
  private String secrets(String miaToken) {
    String body = "{\"kind\":\"gemini\",\"name\":\"gemini-prod\",\"value\":\"" + GEMINI_KEY + "\"}";
    api.requiredFieldsAreRefusedWhenMissing("POST", "/api/v1/secrets", admin, body);
    String gemini = api.call("POST", "/api/v1/secrets", admin, body, 201).get("id").asText();
    api.call("POST", "/api/v1/secrets", admin, body, 409);
    api.call(
        "POST",
        "/api/v1/secrets",
        admin,
        "{\"kind\":\"git-token\",\"name\":\"x\",\"value\":\"v\"}",
        400);
    api.call("POST", "/api/v1/secrets", miaToken, body, 403);
    api.get("/api/v1/secrets", admin);
    api.get("/api/v1/secrets/" + gemini, admin);
    api.call("GET", "/api/v1/secrets/cred_nosuchsecret", admin, null, 404);
    api.call("POST", "/api/v1/secrets/" + gemini + "/test", admin, null, 200);
    api.call("POST", "/api/v1/secrets/" + gemini + "/test", miaToken, null, 403);
    String other =
        api.call(
                "POST",
                "/api/v1/secrets",
                admin,
                "{\"kind\":\"env\",\"name\":\"DEPLOY_TOKEN\",\"value\":\"canary-env-1\"}",
                201)
            .get("id")
            .asText();
    String path = "/api/v1/secrets/" + other;
    api.requiredFieldsAreRefusedWhenMissing(
        "PUT", path + "/value", admin, "{\"value\":\"canary-env-2\"}");
    api.call("PUT", path + "/value", admin, "{\"value\":\"canary-env-2\"}", 200);
    api.call("POST", path + "/revoke", admin, "{\"version\":1}", 200);
    api.call("POST", path + "/revoke", admin, null, 200);
    api.call("PUT", path + "/value", admin, "{\"value\":\"canary-env-3\"}", 409);
    api.call("DELETE", path, admin, null, 204);
    return gemini;
  }

  private void skills() {
    api.requiredFieldsAreRefusedWhenMissing(
        "POST",
        "/api/v1/skills",
        admin,
        "{\"name\":\"research\",\"description\":\"reads papers\",\"kinds\":[\"gemini\"]}");
    String id =
        api.call(
                "POST",
                "/api/v1/skills",
                admin,
                "{\"name\":\"research\",\"kinds\":[\"gemini\"]}",
                201)
            .get("id")
            .asText();
    api.get("/api/v1/skills", admin);
    api.get("/api/v1/skills/" + id, admin);
    api.call("PATCH", "/api/v1/skills/" + id, admin, "{\"description\":\"reads papers\"}", 200);
    api.call("PATCH", "/api/v1/skills/" + id, admin, "{}", 200);
    api.call("DELETE", "/api/v1/skills/" + id, admin, null, 204);
  }

  /**
   * Workrooms and their members. Returns the id of "studio" (Gemini; mia and the admin are
   * members).
   */
  private String workrooms(String gemini, String mia, String miaToken) {
    String full =
        "{\"name\":\"studio\",\"tools\":[{\"kind\":\"gemini\",\"secretId\":\""
            + gemini
            + "\"},{\"kind\":\"git-token\"}],"
            + "\"network\":{\"endpoints\":[{\"name\":\"db\",\"host\":\"db.internal\",\"port\":5432,\"protocol\":\"postgres\","
            + "\"database\":\"app\"}]},\"members\":[{\"name\":\"admin\"}]}";
    api.requiredFieldsAreRefusedWhenMissing("POST", "/api/v1/workrooms", admin, full);
    String studio = api.call("POST", "/api/v1/workrooms", admin, full, 201).get("id").asText();
    String empty =
        api.call("POST", "/api/v1/workrooms", admin, "{\"name\":\"empty\",\"tools\":[]}", 201)
            .get("id")
            .asText();
    api.call("POST", "/api/v1/workrooms", admin, full, 409);
    api.get("/api/v1/workrooms", admin);
    api.get("/api/v1/workrooms", service);
    assertThat(api.get("/api/v1/workrooms", miaToken).get("workrooms")).isEmpty();
    api.call("GET", "/api/v1/workrooms/" + studio, miaToken, null, 404);
    api.call("PATCH", "/api/v1/workrooms/" + empty, admin, "{\"name\":\"empty-2\"}", 200);
    api.call("PATCH", "/api/v1/workrooms/" + empty, admin, "{}", 200);

    String members = "/api/v1/workrooms/" + studio + "/members";
    assertThat(
            api.call("POST", members, admin, "{\"userId\":\"" + mia + "\"}", 201)
                .get("userId")
                .asText())
        .isEqualTo(mia);
    api.call("POST", members, admin, "{\"name\":\"mia\"}", 200);
    api.call("POST", members, admin, "{\"name\":\"bo\"}", 201);
    api.call("POST", members, admin, "{\"name\":\"mia\",\"userId\":\"" + mia + "\"}", 400);
    api.get(members, admin);
    api.get(members, service);
    api.get("/api/v1/workrooms/" + studio, miaToken);
    api.get("/api/v1/workrooms/" + studio, admin);
    String replace =
        "{\"members\":[{\"userId\":\"" + adminId + "\"},{\"name\":\"mia\"},{\"name\":\"bo\"}]}";
    api.requiredFieldsAreRefusedWhenMissing("PUT", members, admin, replace);
    api.call("PUT", members, admin, replace, 200);
    String bo =
        api.get("/api/v1/users", admin).findValues("id").stream()
            .map(JsonNode::asText)
            .filter(id -> !id.equals(adminId) && !id.equals(mia))
            .findFirst()
            .orElseThrow();
    api.call("DELETE", members + "/" + bo, admin, null, 200);
    api.call("DELETE", "/api/v1/workrooms/" + empty, admin, null, 200);
    return studio;
  }

  private void consents(String workroom, String miaToken) {
    api.call("PUT", "/api/v1/me/consents/" + workroom, miaToken, null, 200);
    api.get("/api/v1/me/consents", miaToken);
    api.call("DELETE", "/api/v1/me/consents/" + workroom, miaToken, null, 200);
    api.call("PUT", "/api/v1/me/consents/" + workroom, miaToken, null, 200);
    api.call("GET", "/api/v1/me/consents", service, null, 403);
  }

  /** mia's own git token: create, read, bind to hosts, replace, test, revoke, delete. */
  private void integrations(String miaToken) {
    String full =
        "{\"kind\":\"git-token\",\"name\":\"github\",\"value\":\""
            + GIT_TOKEN
            + "\",\"hosts\":[\"github.com\"]}";
    api.requiredFieldsAreRefusedWhenMissing("POST", "/api/v1/me/integrations", miaToken, full);
    String git =
        api.call(
                "POST",
                "/api/v1/me/integrations",
                miaToken,
                "{\"kind\":\"git-token\",\"name\":\"github\",\"value\":\"" + GIT_TOKEN + "\"}",
                201)
            .get("id")
            .asText();
    api.call(
        "POST",
        "/api/v1/me/integrations",
        miaToken,
        "{\"kind\":\"gemini\",\"name\":\"x\",\"value\":\"v\"}",
        400);
    api.get("/api/v1/me/integrations", miaToken);
    String path = "/api/v1/me/integrations/" + git;
    api.get(path, miaToken);
    api.call("GET", path, admin, null, 404);
    String hosts = "{\"hosts\":[\"github.com\",\"git.example.com:8443\"]}";
    api.requiredFieldsAreRefusedWhenMissing("PATCH", path, miaToken, hosts);
    api.call("PATCH", path, miaToken, hosts, 200);
    api.call("PUT", path + "/value", miaToken, "{\"value\":\"" + GIT_TOKEN + "-2\"}", 200);
    assertThat(api.call("POST", path + "/test", miaToken, null, 200).get("account").asText())
        .isEqualTo("mia-on-git");
    String other =
        api.call(
                "POST",
                "/api/v1/me/integrations",
                miaToken,
                "{\"kind\":\"personal-env\",\"name\":\"MY_NOTE\",\"value\":\"canary-note\"}",
                201)
            .get("id")
            .asText();
    api.call("POST", "/api/v1/me/integrations/" + other + "/revoke", miaToken, null, 200);
    api.call("DELETE", "/api/v1/me/integrations/" + other, miaToken, null, 204);
  }

  /**
   * An OAuth login at a real OAuth server: start, the provider's redirect, the callback; then read,
   * refresh, disconnect.
   */
  private void oauthConnection(String miaToken) throws Exception {
    api.get("/api/v1/oauth/providers", miaToken);
    api.get("/api/v1/me/integrations/oauth/connections", miaToken);
    api.call("POST", "/api/v1/me/integrations/oauth/nosuch/start", miaToken, null, 404);
    HttpResponse<String> started =
        api.send(
            "POST", "/api/v1/me/integrations/oauth/generic/start", miaToken, "{\"name\":\"sso\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    String cookie = started.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    HttpClient browser =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpResponse<String> atProvider =
        browser.send(
            HttpRequest.newBuilder(
                    URI.create(
                        JsonResponses.parse(started.body()).get("authorizationUrl").asText()))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String callback = atProvider.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> back =
        browser.send(
            HttpRequest.newBuilder(URI.create(callback)).header("Cookie", cookie).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    String id = JsonResponses.parse(back.body()).at("/connected/id").asText();
    api.get("/api/v1/me/integrations/oauth/connections", miaToken);
    api.get("/api/v1/me/integrations/" + id + "/oauth", miaToken);
    api.call("GET", "/api/v1/me/integrations/" + id + "/oauth", admin, null, 404);
    api.call("POST", "/api/v1/me/integrations/" + id + "/oauth/refresh", miaToken, null, 200);
    api.call("DELETE", "/api/v1/me/integrations/" + id + "/oauth", miaToken, null, 200);
  }

  /**
   * Sessions: policy, start (by the member, by the platform), read, environment, events, git,
   * proxy, usage, end.
   */
  private void sessions(String workroom, String mia, String miaToken) throws Exception {
    api.get("/api/v1/session-policy", miaToken);
    api.requiredFieldsAreRefusedWhenMissing(
        "PUT", "/api/v1/session-policy", admin, "{\"onRevoke\":\"end\"}");
    api.call("PUT", "/api/v1/session-policy", admin, "{\"onRevoke\":\"restart\"}", 200);
    api.call("PUT", "/api/v1/session-policy", admin, "{\"onRevoke\":\"end\"}", 200);
    api.call("PUT", "/api/v1/session-policy", miaToken, "{\"onRevoke\":\"end\"}", 403);

    String sessions = "/api/v1/workrooms/" + workroom + "/sessions";
    JsonNode own = api.call("POST", sessions, miaToken, null, 201);
    String s1 = own.get("id").asText();
    String s1Token = own.get("sessionToken").asText();
    api.call("POST", sessions, miaToken, "{\"userId\":\"" + adminId + "\"}", 403);
    // An optional body may also be JSON null (generated clients send it for an unset body).
    api.call(
        "DELETE",
        "/api/v1/sessions/" + api.call("POST", sessions, miaToken, "null", 201).get("id").asText(),
        miaToken,
        null,
        204);
    api.call("POST", sessions, service, null, 400);
    String s2 =
        api.call("POST", sessions, service, "{\"userId\":\"" + mia + "\"}", 201).get("id").asText();
    api.get(sessions, admin);
    api.get(sessions, miaToken);
    api.get("/api/v1/sessions/" + s1, miaToken);
    api.get("/api/v1/sessions/" + s1, admin);
    api.get("/api/v1/session", s1Token);
    api.call("GET", "/api/v1/session", miaToken, null, 401);

    String env = "/api/v1/sessions/" + s1 + "/environment";
    JsonNode environment = api.get(env, s1Token);
    api.call("GET", env, service, null, 403);
    api.call("GET", env, miaToken, null, 403);
    HttpResponse<String> dotenv = api.sendWithHeaders("GET", env + "?format=dotenv", s1Token);
    assertThat(dotenv.statusCode()).isEqualTo(200);
    api.get("/api/v1/sessions/" + s2 + "/environment", service);
    api.get("/api/v1/sessions/" + s1 + "/deliveries", admin);

    String git = "/api/v1/sessions/" + s1 + "/git-credential";
    String ask = "{\"protocol\":\"https\",\"host\":\"github.com\"}";
    api.requiredFieldsAreRefusedWhenMissing("POST", git, s1Token, ask);
    assertThat(api.call("POST", git, s1Token, ask, 200).get("password").asText())
        .startsWith(GIT_TOKEN);
    api.call("POST", git, s1Token, "{\"protocol\":\"http\",\"host\":\"github.com\"}", 403);

    HttpResponse<InputStream> events =
        k.http.send(
            HttpRequest.newBuilder(URI.create(k.url() + "/api/v1/sessions/" + s1 + "/events"))
                .header("Authorization", "Bearer " + s1Token)
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    events.body().close();
    assertThat(events.statusCode()).isEqualTo(200);
    api.check("GET", "/api/v1/sessions/" + s1 + "/events", events);

    String placeholder = JsonResponses.var(environment, "GEMINI_API_KEY");
    String base = JsonResponses.var(environment, "GOOGLE_GEMINI_BASE_URL");
    HttpResponse<String> proxied =
        k.http.send(
            HttpRequest.newBuilder(
                    URI.create(base + "/v1beta/models/gemini-2.5-flash:generateContent"))
                .header("x-goog-api-key", placeholder)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"contents\":[{\"parts\":[{\"text\":\"Hello\"}]}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(proxied.statusCode()).as(proxied.body()).isEqualTo(200);
    k.awaitUsageRows(tenant, 1); // recorded off the request path, after the answer
    assertThat(api.get("/api/v1/usage?groupBy=workroom", admin).get("rows")).isNotEmpty();
    api.get("/api/v1/usage", miaToken);
    api.call("GET", "/api/v1/usage?groupBy=planet", admin, null, 400);

    api.call("DELETE", "/api/v1/sessions/" + s1, miaToken, null, 204);
    api.call("DELETE", "/api/v1/sessions/" + s2, service, null, 204);
    api.call("GET", env, s1Token, null, 403);
  }
}
