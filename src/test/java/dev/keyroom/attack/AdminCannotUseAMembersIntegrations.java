package dev.keyroom.attack;

import static dev.keyroom.testing.JsonResponses.ok;
import static dev.keyroom.testing.JsonResponses.var;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The insider attack: a tenant admin tries to reach a member's own integrations (git token,
 * personal environment values, OAuth logins) by minting a service token and starting a session
 * "for" the member. Service tokens come only from the operator; a platform-started session gets the
 * member's integrations only with the member's own, revocable consent.
 */
abstract class AdminCannotUseAMembersIntegrations extends AttackSuite {
  private static final String GIT = "test-git-token-memberOwnGitToken0000000000000001";
  private static final String PERSONAL = "member-personal-value-0001";

  private String workroom(Tenant t, Tenant.Person... people) {
    return t.workroom(
        "{\"name\":\"Main\",\"tools\":[{\"kind\":\"git-token\"},{\"kind\":\"personal-env\"}]}",
        people);
  }

  @Test
  void anAdminCannotMintAServiceToken() {
    Tenant t = tenant();
    var res = k.post("/api/v1/service-tokens", t.admin, "{\"name\":\"mine\"}");
    assertThat(res.statusCode()).as(res.body()).isIn(404, 405);
    assertThat(res.body()).doesNotContain("kr_s_");
    // listing and revoking the operator's tokens stays possible
    assertThat(ok(k.get("/api/v1/service-tokens", t.admin), 200).get("tokens")).hasSize(1);
  }

  @Test
  void aPlatformStartedSessionGetsNoneOfTheMembersIntegrationsWithoutConsent() {
    Tenant t = tenant();
    Tenant.Person alice = t.member("alice");
    t.integration(alice, "git-token", "github", GIT);
    t.integration(alice, "personal-env", "MY_SECRET", PERSONAL);
    String wr = workroom(t, alice);

    Tenant.Session s = t.startByPlatform(wr, alice);
    var res = t.environment(s);
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).doesNotContain(GIT).doesNotContain(PERSONAL).contains("consent");
    JsonNode env = dev.keyroom.testing.JsonResponses.parse(res.body());
    assertThat(var(env, "GIT_TOKEN")).isNull();
    assertThat(var(env, "MY_SECRET")).isNull();
    // and the same through the service token itself
    var viaService = k.get("/api/v1/sessions/" + s.id() + "/environment", t.service);
    assertThat(viaService.body()).doesNotContain(GIT).doesNotContain(PERSONAL);
    var git = t.gitCredential(s, "github.com");
    assertThat(git.statusCode()).isEqualTo(403);
    assertThat(git.body()).doesNotContain(GIT).contains("consent");
  }

  @Test
  void theMembersOwnConsentLetsThePlatformUseThemUntilWithdrawn() {
    Tenant t = tenant();
    Tenant.Person alice = t.member("alice");
    t.integration(alice, "git-token", "github", GIT);
    String wr = workroom(t, alice);

    // the admin's "consent" is the admin's own (and only for a workroom they are a member of): it
    // does nothing for alice
    assertThat(k.send("PUT", "/api/v1/me/consents/" + wr, t.admin, null).statusCode())
        .isEqualTo(404);
    t.allowIn(wr, new Tenant.Person(t.founded.admin(), t.admin));
    ok(k.send("PUT", "/api/v1/me/consents/" + wr, t.admin, null), 200);
    assertThat(t.environment(t.startByPlatform(wr, alice)).body()).doesNotContain(GIT);
    // the service token cannot consent for anyone
    assertThat(k.send("PUT", "/api/v1/me/consents/" + wr, t.service, null).statusCode())
        .isEqualTo(403);

    JsonNode granted = ok(k.send("PUT", "/api/v1/me/consents/" + wr, alice.token(), null), 200);
    assertThat(granted.get("workroomId").asText()).isEqualTo(wr);
    assertThat(ok(k.get("/api/v1/me/consents", alice.token()), 200).get("consents")).hasSize(1);
    Tenant.Session s = t.startByPlatform(wr, alice);
    assertThat(var(ok(t.environment(s), 200), "GIT_TOKEN")).isEqualTo(GIT);

    JsonNode withdrawn =
        ok(k.send("DELETE", "/api/v1/me/consents/" + wr, alice.token(), null), 200);
    assertThat(withdrawn.get("affectedSessions").get("count").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(withdrawn.get("affectedSessions").get("sessions").toString()).contains(s.id());
    assertThat(t.environment(s).statusCode()).isEqualTo(403);
    assertThat(t.environment(t.startByPlatform(wr, alice)).body()).doesNotContain(GIT);

    // Leaving the workroom drops the consent: rejoining does not bring it back.
    ok(k.send("PUT", "/api/v1/me/consents/" + wr, alice.token(), null), 200);
    ok(k.send("DELETE", "/api/v1/workrooms/" + wr + "/members/" + alice.id(), t.admin, null), 200);
    t.allowIn(wr, alice);
    assertThat(ok(k.get("/api/v1/me/consents", alice.token()), 200).get("consents")).isEmpty();
    assertThat(t.environment(t.startByPlatform(wr, alice)).body()).doesNotContain(GIT);

    String audit = k.get("/api/v1/audit?limit=500", t.admin).body();
    assertThat(audit)
        .contains("integration.consent.grant")
        .contains("integration.consent.withdraw");
  }

  @Test
  void aSessionTheMemberStartsThemselvesGetsTheirIntegrations() {
    Tenant t = tenant();
    Tenant.Person alice = t.member("alice");
    t.integration(alice, "git-token", "github", GIT);
    String wr = workroom(t, alice);
    Tenant.Session s = t.startAsSelf(wr, alice);
    assertThat(var(ok(t.environment(s), 200), "GIT_TOKEN")).isEqualTo(GIT);
    assertThat(
            ok(k.get("/api/v1/sessions/" + s.id(), alice.token()), 200).get("startedBy").asText())
        .isEqualTo("self");
    // The platform's service token cannot fetch a session its user started: it would get their
    // integrations and token.
    var viaService = k.get("/api/v1/sessions/" + s.id() + "/environment", t.service);
    assertThat(viaService.statusCode()).isEqualTo(403);
    assertThat(viaService.body()).doesNotContain(GIT).doesNotContain(s.token());
  }

  @Test
  void anAdminStartingASessionGetsOnlyTheirOwnIntegrations() {
    Tenant t = tenant();
    Tenant.Person alice = t.member("alice");
    t.integration(alice, "git-token", "github", GIT);
    String wr = workroom(t, alice);
    t.allowIn(wr, new Tenant.Person(t.founded.admin(), t.admin));
    // an admin cannot start a session for alice with their own token
    var res =
        k.post(
            "/api/v1/workrooms/" + wr + "/sessions",
            t.admin,
            "{\"userId\":\"" + alice.id() + "\"}");
    assertThat(res.statusCode()).isEqualTo(403);
    JsonNode own = ok(k.post("/api/v1/workrooms/" + wr + "/sessions", t.admin, "{}"), 201);
    var env =
        k.get(
            "/api/v1/sessions/" + own.get("id").asText() + "/environment",
            own.get("sessionToken").asText());
    assertThat(env.body()).doesNotContain(GIT);
  }
}
