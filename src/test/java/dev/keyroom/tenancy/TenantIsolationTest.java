package dev.keyroom.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks EVERY registered route with another tenant's ids (and, for a user's own resources, another
 * user's ids even as an admin) and expects 404. A route with path parameters that has no entry in
 * {@link #FOREIGN_IDS} fails this test: when you add a route, add how to find a foreign id for it
 * here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantIsolationTest {
  private static final Pattern PARAM = Pattern.compile("\\{[^}]+}");

  /** What tenant A owns and what its users own, for substitution into routes called by others. */
  record Fixture(
      String secretId,
      String skillId,
      String userId,
      String userTokenId,
      String serviceTokenId,
      String integrationId,
      String secretName,
      String workroomId,
      String sessionId) {}

  /**
   * For each route template with path parameters: the value of each parameter, in order, naming
   * something of tenant A. Routes under /api/v1/me/ name something of user alice (tenant A).
   */
  static final Map<String, Function<Fixture, List<String>>> FOREIGN_IDS =
      Map.ofEntries(
          Map.entry("/api/v1/secrets/{id}", f -> List.of(f.secretId())),
          Map.entry("/api/v1/secrets/{id}/value", f -> List.of(f.secretId())),
          Map.entry("/api/v1/secrets/{id}/revoke", f -> List.of(f.secretId())),
          Map.entry("/api/v1/secrets/{id}/test", f -> List.of(f.secretId())),
          Map.entry("/api/v1/me/integrations/{id}", f -> List.of(f.integrationId())),
          Map.entry("/api/v1/me/integrations/{id}/value", f -> List.of(f.integrationId())),
          Map.entry("/api/v1/me/integrations/{id}/revoke", f -> List.of(f.integrationId())),
          Map.entry("/api/v1/me/integrations/{id}/oauth", f -> List.of(f.integrationId())),
          Map.entry("/api/v1/me/integrations/{id}/oauth/refresh", f -> List.of(f.integrationId())),
          Map.entry("/api/v1/me/integrations/{id}/test", f -> List.of(f.integrationId())),
          // Providers belong to no tenant; an OAuth integration id in the start body is covered by
          // OAuthIsolationTest.
          Map.entry(
              "/api/v1/me/integrations/oauth/{provider}/start", f -> List.of("not-a-provider")),
          Map.entry("/api/v1/skills/{id}", f -> List.of(f.skillId())),
          Map.entry("/api/v1/users/{id}", f -> List.of(f.userId())),
          Map.entry("/api/v1/users/{id}/disable", f -> List.of(f.userId())),
          Map.entry("/api/v1/users/{id}/one-time-password", f -> List.of(f.userId())),
          Map.entry("/api/v1/me/tokens/{id}", f -> List.of(f.userTokenId())),
          Map.entry("/api/v1/service-tokens/{id}", f -> List.of(f.serviceTokenId())),
          Map.entry("/api/v1/workrooms/{id}", f -> List.of(f.workroomId())),
          // A consent is the caller's own, about a workroom of their tenant.
          Map.entry("/api/v1/me/consents/{workroomId}", f -> List.of(f.workroomId())),
          Map.entry("/api/v1/workrooms/{id}/sessions", f -> List.of(f.workroomId())),
          Map.entry("/api/v1/workrooms/{id}/members", f -> List.of(f.workroomId())),
          Map.entry(
              "/api/v1/workrooms/{id}/members/{userId}", f -> List.of(f.workroomId(), f.userId())),
          Map.entry("/api/v1/sessions/{id}", f -> List.of(f.sessionId())),
          Map.entry("/api/v1/sessions/{id}/deliveries", f -> List.of(f.sessionId())),
          Map.entry("/api/v1/sessions/{id}/environment", f -> List.of(f.sessionId())),
          Map.entry("/api/v1/sessions/{id}/events", f -> List.of(f.sessionId())),
          Map.entry("/api/v1/sessions/{id}/git-credential", f -> List.of(f.sessionId())));

  /**
   * Routes that only the resource's own session token may call: another tenant's session token gets
   * the same refusal whether the id exists or not (no existence oracle), checked below.
   */
  static final java.util.Set<String> OWN_SESSION_TOKEN_ONLY =
      java.util.Set.of("POST /api/v1/sessions/{id}/git-credential");

  /** A valid body for routes that read one, so the answer is about the id, not the body. */
  static final Map<String, String> BODIES =
      Map.of(
          "PUT /api/v1/secrets/{id}/value", "{\"value\":\"isolation-value-0123456789\"}",
          "PUT /api/v1/me/integrations/{id}/value", "{\"value\":\"isolation-value-0123456789\"}",
          "PATCH /api/v1/me/integrations/{id}", "{\"hosts\":[\"attacker.example\"]}",
          "PATCH /api/v1/skills/{id}", "{\"description\":\"taken over\"}",
          "PATCH /api/v1/users/{id}", "{\"role\":\"admin\"}",
          "PATCH /api/v1/workrooms/{id}", "{\"name\":\"taken-over\"}",
          "POST /api/v1/workrooms/{id}/sessions", "{\"userId\":\"$CALLER_TENANT_ADMIN\"}",
          "POST /api/v1/workrooms/{id}/members", "{\"userId\":\"$CALLER_TENANT_ADMIN\"}",
          "PUT /api/v1/workrooms/{id}/members",
              "{\"members\":[{\"userId\":\"$CALLER_TENANT_ADMIN\"}]}",
          "POST /api/v1/sessions/{id}/git-credential",
              "{\"protocol\":\"https\",\"host\":\"github.com\"}");

  TestKeyroom k;
  Fixture a;
  String globexAdmin;
  String acmeAdmin;
  String alice;
  String bob;
  String globexSession;
  String globexService;
  String globexAdminId;

  @BeforeAll
  void setUp(@TempDir Path dir) {
    k = TestKeyroom.sqlite(dir);
    Tenancy.Founded acme = k.tenant("acme");
    acmeAdmin = acme.adminToken().token();
    Tenancy.Founded globex = k.tenant("globex");
    globexAdmin = globex.adminToken().token();
    globexAdminId = globex.admin().id().value();
    Tenancy t = k.keyroom.tenancy();
    User aliceUser = t.createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    User bobUser = t.createUser(acme.tenant().id(), "bob", Role.MEMBER, "test");
    ApiTokens.Issued aliceToken =
        k.keyroom.tokens().issueForUser(acme.tenant().id(), aliceUser.id(), "t", "test");
    alice = aliceToken.token();
    bob = k.keyroom.tokens().issueForUser(acme.tenant().id(), bobUser.id(), "t", "test").token();
    CredentialInfo secret =
        k.keyroom
            .vault()
            .create(
                CredentialScope.tenantSecrets(acme.tenant().id()),
                "gemini",
                "acme-prod",
                SecretValue.ofUtf8("acme-secret-value-000000"),
                "test");
    CredentialInfo integration =
        k.keyroom
            .vault()
            .create(
                CredentialScope.integrationsOf(acme.tenant().id(), aliceUser.id()),
                "git-token",
                "alice-github",
                SecretValue.ofUtf8("alice-git-token-00000000"),
                "test");
    var skill =
        k.keyroom
            .skills()
            .create(acme.tenant().id(), "acme-research", "d", List.of("gemini"), "test");
    ApiTokens.Issued service =
        k.keyroom.tokens().issueService(acme.tenant().id(), "platform", "test");
    String acmeWorkroom =
        json(k.post(
                "/api/v1/workrooms",
                acmeAdmin,
                "{\"name\":\"acme-room\",\"tools\":[],\"members\":[{\"name\":\"alice\"}]}"))
            .get("id")
            .asText();
    String acmeSession =
        json(k.post(
                "/api/v1/workrooms/" + acmeWorkroom + "/sessions",
                service.token(),
                "{\"userId\":\"" + aliceUser.id().value() + "\"}"))
            .get("id")
            .asText();
    a =
        new Fixture(
            secret.id(),
            skill.id(),
            aliceUser.id().value(),
            aliceToken.id().value(),
            service.id().value(),
            integration.id(),
            secret.name(),
            acmeWorkroom,
            acmeSession);
    String globexWorkroom =
        json(k.post(
                "/api/v1/workrooms",
                globexAdmin,
                "{\"name\":\"globex-room\",\"tools\":[],\"members\":[{\"name\":\"admin\"}]}"))
            .get("id")
            .asText();
    globexService =
        k.keyroom.tokens().issueService(globex.tenant().id(), "platform", "test").token();
    globexSession =
        json(k.post(
                "/api/v1/workrooms/" + globexWorkroom + "/sessions",
                globexService,
                "{\"userId\":\"" + globex.admin().id().value() + "\"}"))
            .get("sessionToken")
            .asText();
  }

  @AfterAll
  void tearDown() {
    k.close();
  }

  List<ApiRoutes.Route> routesWithParams() {
    List<ApiRoutes.Route> out = new ArrayList<>();
    for (ApiRoutes.Route r : k.keyroom.http().routes()) {
      if (PARAM.matcher(r.path()).find()) {
        out.add(r);
      }
    }
    return out;
  }

  Function<Fixture, List<String>> foreign(String path) {
    return FOREIGN_IDS.get(path);
  }

  String substitute(String template, List<String> ids) {
    String path = template;
    for (String id : ids) {
      path = PARAM.matcher(path).replaceFirst(id);
    }
    assertThat(PARAM.matcher(path).find())
        .as("every parameter of %s has a foreign id", template)
        .isFalse();
    return path;
  }

  HttpResponse<String> call(ApiRoutes.Route r, String token, String path) {
    String body = BODIES.get(r.method() + " " + r.path());
    return k.send(
        r.method(),
        path,
        token,
        body == null ? null : body.replace("$CALLER_TENANT_ADMIN", globexAdminId));
  }

  @Test
  void everyRouteWithParameters_hasAForeignIdFixture() {
    List<String> missing =
        routesWithParams().stream()
            .map(r -> r.method() + " " + r.path())
            .filter(r -> foreign(r.substring(r.indexOf(' ') + 1)) == null)
            .toList();
    assertThat(missing)
        .as("routes without an isolation fixture: add them to TenantIsolationTest.FOREIGN_IDS")
        .isEmpty();
    assertThat(routesWithParams())
        .as("routes with parameters exist")
        .hasSizeGreaterThanOrEqualTo(10);
  }

  @Test
  void anotherTenantsIds_areNotFound_onEveryRoute() {
    int walked = 0;
    for (ApiRoutes.Route r : routesWithParams()) {
      var ids = foreign(r.path());
      if (ids == null) {
        continue; // reported by everyRouteWithParameters_hasAForeignIdFixture
      }
      String path = substitute(r.path(), ids.apply(a));
      if (OWN_SESSION_TOKEN_ONLY.contains(r.method() + " " + r.path())) {
        HttpResponse<String> real = call(r, globexSession, path);
        HttpResponse<String> made =
            call(
                r,
                globexSession,
                substitute(r.path(), ids.apply(a))
                    .replaceAll("ses_[a-z2-7]+", "ses_aaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assertThat(real.statusCode())
            .as("%s %s -> %s", r.method(), r.path(), real.body())
            .isBetween(401, 404);
        assertThat(real.body()).isEqualTo(made.body());
        walked++;
        continue;
      }
      // Admin routes refuse the service token (403) and session routes refuse users (403): a
      // refusal by role says nothing about the id. At least one caller must reach the lookup: 404.
      boolean notFound = false;
      for (String token : List.of(globexAdmin, globexService)) {
        HttpResponse<String> res = call(r, token, path);
        assertThat(res.statusCode())
            .as("%s %s as another tenant -> %s", r.method(), r.path(), res.body())
            .isIn(403, 404);
        assertThat(res.body())
            .doesNotContain(a.secretName())
            .doesNotContain("acme-research")
            .doesNotContain("acme-room");
        notFound |= res.statusCode() == 404;
      }
      assertThat(notFound)
          .as(
              "%s %s: another tenant's id is 404 for its admin or service token",
              r.method(), r.path())
          .isTrue();
      walked++;
    }
    assertThat(walked).isGreaterThanOrEqualTo(10);
    assertTenantAIntact();
  }

  @Test
  void anotherUsersIntegrationsAndTokens_areNotFound_evenForAnAdmin() {
    int walked = 0;
    for (ApiRoutes.Route r : routesWithParams()) {
      if (!r.path().startsWith("/api/v1/me/") || r.path().startsWith("/api/v1/me/consents/")) {
        continue; // a consent names a workroom of the tenant and is always the caller's own
      }
      String path = substitute(r.path(), foreign(r.path()).apply(a));
      for (String token : List.of(acmeAdmin, bob)) {
        HttpResponse<String> res = call(r, token, path);
        assertThat(res.statusCode())
            .as("%s %s on alice's resource -> %s", r.method(), r.path(), res.body())
            .isEqualTo(404);
      }
      walked++;
    }
    assertThat(walked).isGreaterThanOrEqualTo(4);
    assertTenantAIntact();
  }

  /**
   * A user of the same tenant who is not a member of a workroom gets exactly the answer a workroom
   * that does not exist gets, on every workroom route (no existence oracle), and its list leaves it
   * out.
   */
  @Test
  void aNonMemberOfTheSameTenant_cannotTellAWorkroomFromNone_onEveryWorkroomRoute() {
    int walked = 0;
    for (ApiRoutes.Route r : routesWithParams()) {
      if (!r.path().startsWith("/api/v1/workrooms/{id}")) {
        continue;
      }
      String real = substitute(r.path(), foreign(r.path()).apply(a));
      String made = real.replace(a.workroomId(), "wr_aaaaaaaaaaaaaaaaaaaaaaaaaa");
      HttpResponse<String> res = call(r, bob, real);
      HttpResponse<String> none = call(r, bob, made);
      assertThat(res.statusCode())
          .as("%s %s as a non-member -> %s", r.method(), r.path(), res.body())
          .isIn(403, 404);
      assertThat(res.statusCode()).as("%s %s", r.method(), r.path()).isEqualTo(none.statusCode());
      assertThat(res.body())
          .as("%s %s", r.method(), r.path())
          .isEqualTo(none.body())
          .doesNotContain("acme-room");
      walked++;
    }
    assertThat(walked).isGreaterThanOrEqualTo(7);
    assertThat(k.get("/api/v1/workrooms", bob).body())
        .doesNotContain(a.workroomId())
        .doesNotContain("acme-room");
    assertThat(k.get("/api/v1/workrooms", alice).body()).contains(a.workroomId());
    assertTenantAIntact();
  }

  @Test
  void listRoutes_showNothingOfAnotherTenant() {
    for (ApiRoutes.Route r : k.keyroom.http().routes()) {
      if (!r.method().equals("GET")
          || PARAM.matcher(r.path()).find()
          || !r.path().startsWith("/api/v1/")) {
        continue;
      }
      HttpResponse<String> res = k.get(r.path(), globexAdmin);
      assertThat(res.statusCode()).as(r.path()).isLessThan(500);
      for (String id :
          List.of(
              a.secretId(),
              a.skillId(),
              a.userId(),
              a.userTokenId(),
              a.serviceTokenId(),
              a.integrationId(),
              a.secretName(),
              "acme-research",
              "alice")) {
        assertThat(res.body()).as("GET %s as another tenant", r.path()).doesNotContain(id);
      }
    }
  }

  void assertTenantAIntact() {
    assertThat(json(k.get("/api/v1/secrets/" + a.secretId(), acmeAdmin)).get("status").asText())
        .isEqualTo("active");
    assertThat(json(k.get("/api/v1/secrets/" + a.secretId(), acmeAdmin)).get("version").asInt())
        .isEqualTo(1);
    assertThat(
            json(k.get("/api/v1/me/integrations/" + a.integrationId(), alice))
                .get("status")
                .asText())
        .isEqualTo("active");
    assertThat(json(k.get("/api/v1/skills/" + a.skillId(), acmeAdmin)).get("description").asText())
        .isEqualTo("d");
    assertThat(json(k.get("/api/v1/users/" + a.userId(), acmeAdmin)).get("role").asText())
        .isEqualTo("member");
    assertThat(json(k.get("/api/v1/users/" + a.userId(), acmeAdmin)).get("status").asText())
        .isEqualTo("active");
    assertThat(k.get("/api/v1/me", alice).statusCode()).isEqualTo(200);
    assertThat(json(k.get("/api/v1/workrooms/" + a.workroomId(), acmeAdmin)).get("name").asText())
        .isEqualTo("acme-room");
    assertThat(json(k.get("/api/v1/sessions/" + a.sessionId(), acmeAdmin)).get("endedAt").isNull())
        .isTrue();
    assertThat(
            json(k.get("/api/v1/workrooms/" + a.workroomId() + "/members", acmeAdmin))
                .get("members")
                .findValuesAsText("userId"))
        .containsExactly(a.userId());
    assertThat(k.get("/api/v1/service-tokens", acmeAdmin).body())
        .contains(a.serviceTokenId())
        .contains("\"revokedAt\":null");
  }

  static JsonNode json(HttpResponse<String> res) {
    assertThat(res.statusCode()).as(res.body()).isLessThan(300);
    try {
      return Json.MAPPER.readTree(res.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
