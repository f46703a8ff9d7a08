package dev.keyroom.attack;

import static dev.keyroom.testing.JsonResponses.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.tenancy.UserId;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/v1/users/{id}/one-time-password} invites a newcomer; it never lets an admin (or
 * the platform) set a password on an account a person already uses — one with a password of their
 * own, a sign-in, an API token or an integration — and so sign in as them and reach what they own.
 */
abstract class AnAdminCannotTakeOverAnAccountInUse extends AttackSuite {
  private static final String OWN_PASSWORD = "bobs-own-password-0001";

  private HttpResponse<String> issue(Tenant t, String userId, String token) {
    return k.post("/api/v1/users/" + userId + "/one-time-password", token, null);
  }

  private String newUser(Tenant t, String name) {
    return ok(k.post("/api/v1/users", t.admin, "{\"name\":\"" + name + "\"}"), 201)
        .get("id")
        .asText();
  }

  @Test
  void aNewcomerGetsAOneTimePasswordThatMustBeChanged_andALostOneCanBeReissued() {
    Tenant t = tenant();
    String carol = newUser(t, "carol");
    JsonNode first = ok(issue(t, carol, t.admin), 201);
    String pw = first.get("oneTimePassword").asText();
    assertThat(k.keyroom.passwords().check(t.founded.tenant().name(), "carol", pw))
        .hasValueSatisfying(a -> assertThat(a.mustChange()).isTrue());
    String again = ok(issue(t, carol, t.admin), 201).get("oneTimePassword").asText();
    assertThat(again).isNotEqualTo(pw);
    assertThat(k.keyroom.passwords().check(t.founded.tenant().name(), "carol", pw)).isEmpty();
    JsonNode audit = ok(k.get("/api/v1/audit?action=user.password", t.admin), 200).get("events");
    assertThat(audit).hasSize(2);
    assertThat(audit.get(0).get("actor").asText())
        .isEqualTo("user:" + t.founded.admin().id().value());
    assertThat(audit.toString()).doesNotContain(pw).doesNotContain(again);
  }

  @Test
  void aMemberWithAPasswordOfTheirOwnIsRefused_andKeepsIt() {
    Tenant t = tenant();
    String bob = newUser(t, "bob");
    k.keyroom
        .passwords()
        .set(t.founded.tenant().id(), new UserId(bob), OWN_PASSWORD, false, "user:" + bob);
    HttpResponse<String> res = issue(t, bob, t.admin);
    assertThat(res.statusCode()).isEqualTo(409);
    assertThat(res.body()).contains("has a password of their own").contains("never signed in");
    assertThat(k.keyroom.passwords().check(t.founded.tenant().name(), "bob", OWN_PASSWORD))
        .isPresent();
  }

  @Test
  void aMemberWhoSignedInWithTheirOneTimePasswordIsRefused() {
    Tenant t = tenant();
    String dan = newUser(t, "dan");
    String pw = ok(issue(t, dan, t.admin), 201).get("oneTimePassword").asText();
    assertThat(new WebSignInForm(k).post(t.founded.tenant().name(), "dan", pw).statusCode())
        .isEqualTo(302);
    HttpResponse<String> res = issue(t, dan, t.admin);
    assertThat(res.statusCode()).isEqualTo(409);
    assertThat(res.body()).contains("has signed in before");
    assertThat(k.keyroom.passwords().check(t.founded.tenant().name(), "dan", pw)).isPresent();
  }

  @Test
  void aMemberWhoUsesTheApiOnlyIsRefused_evenWithoutAnyPassword() {
    Tenant t = tenant();
    Tenant.Person eve = t.member("eve");
    t.integration(eve, "git-token", "github", "test-git-token-evesOwnGitToken0000000000000000001");
    HttpResponse<String> res = issue(t, eve.id(), t.admin);
    assertThat(res.statusCode()).isEqualTo(409);
    assertThat(res.body()).contains("has held an API token");
    int passwords =
        k.keyroom
            .db()
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM web_passwords WHERE user_id = :u")
                        .bind("u", eve.id())
                        .mapTo(Integer.class)
                        .one());
    assertThat(passwords).isZero();
  }

  @Test
  void onlyAnAdminMayIssue_notAMemberNorThePlatform_andNeverForADisabledUser() {
    Tenant t = tenant();
    Tenant.Person member = t.member("mallory");
    String frank = newUser(t, "frank");
    assertThat(issue(t, frank, member.token()).statusCode()).isEqualTo(403);
    assertThat(issue(t, frank, t.service).statusCode()).isEqualTo(403);
    ok(k.post("/api/v1/users/" + frank + "/disable", t.admin, null), 200);
    HttpResponse<String> disabled = issue(t, frank, t.admin);
    assertThat(disabled.statusCode()).isEqualTo(409);
    assertThat(disabled.body()).contains("disabled");
  }
}
