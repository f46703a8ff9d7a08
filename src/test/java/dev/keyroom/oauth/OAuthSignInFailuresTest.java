package dev.keyroom.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Every way a sign-in can go wrong ends with a clear answer and nothing stored. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OAuthSignInFailuresTest {
  OAuthWorld world;
  TestKeyroom k;
  TenantId tenant;
  UserId mia;
  String miaToken;
  LogCapture logs;

  @BeforeAll
  void start(@TempDir Path dir) {
    logs = LogCapture.begin();
    world = new OAuthWorld();
    k =
        TestKeyroom.start(
            TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)), c -> world.configure(c, false));
    Tenancy.Founded acme = k.tenant("acme");
    tenant = acme.tenant().id();
    mia = k.keyroom.tenancy().createUser(tenant, "mia", Role.MEMBER, "test").id();
    miaToken = k.keyroom.tokens().issueForUser(tenant, mia, "t", "test").token();
  }

  @AfterAll
  void stop() {
    k.close();
    world.close();
    logs.close();
  }

  @BeforeEach
  void nothingConnectedYet() {
    assertNothingStored();
  }

  void assertNothingStored() {
    assertThat(k.get("/api/v1/me/integrations", miaToken).body())
        .isEqualTo("{\"credentials\":[],\"next\":null,\"prev\":null}");
    assertThat(k.get("/api/v1/me/integrations/oauth/connections", miaToken).body())
        .isEqualTo("{\"integrations\":[]}");
  }

  static String error(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    return Browser.json(r).get("error").asText();
  }

  @Test
  void pkceVerifierMismatchIsRefused() {
    Browser b = new Browser(k.url());
    String urlA = Browser.authorizationUrl(b.start(miaToken, "generic", null));
    String urlB = Browser.authorizationUrl(b.start(miaToken, "generic", null));
    String codeA = OAuthWorld.query(b.authorize(urlA)).get("code");
    String stateB = OAuthWorld.query(urlB).get("state");
    // An attacker's code injected into another sign-in: the code was bound to A's challenge, B's
    // verifier fails.
    HttpResponse<String> r =
        b.get(k.url() + "/oauth/callback?code=" + enc(codeA) + "&state=" + enc(stateB));
    assertThat(error(r)).isEqualTo("code_rejected");
    assertThat(Browser.json(r).get("message").asText())
        .contains("PKCE")
        .contains("nothing was stored");
    assertNothingStored();
    assertThat(logs.all()).doesNotContain(codeA);
  }

  @Test
  void replayedStateIsRefused() {
    Browser b = new Browser(k.url());
    String back =
        b.authorize(Browser.authorizationUrl(b.start(miaToken, "generic", "{\"name\":\"once\"}")));
    assertThat(b.get(back).statusCode()).isEqualTo(200);
    assertThat(error(b.get(back))).isEqualTo("state_invalid");
    String id =
        Browser.json(k.get("/api/v1/me/integrations/oauth/connections", miaToken))
            .at("/integrations/0/id")
            .asText();
    assertThat(
            k.send("DELETE", "/api/v1/me/integrations/" + id + "/oauth", miaToken, null)
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void unknownStateIsRefused() {
    assertThat(error(new Browser(k.url()).get(k.url() + "/oauth/callback?code=x&state=made-up")))
        .isEqualTo("state_invalid");
    assertThat(error(new Browser(k.url()).get(k.url() + "/oauth/callback?code=x")))
        .isEqualTo("state_missing");
  }

  @Test
  void userDenialAndProviderErrorsSayWhatHappened() {
    Browser b = new Browser(k.url());
    String state =
        OAuthWorld.query(Browser.authorizationUrl(b.start(miaToken, "generic", null))).get("state");
    HttpResponse<String> denied =
        b.get(k.url() + "/oauth/callback?error=access_denied&state=" + enc(state));
    assertThat(error(denied)).isEqualTo("access_denied");
    assertThat(Browser.json(denied).get("message").asText()).contains("declined");
    String state2 =
        OAuthWorld.query(Browser.authorizationUrl(b.start(miaToken, "generic", null))).get("state");
    HttpResponse<String> broken =
        b.get(
            k.url()
                + "/oauth/callback?error=server_error&error_description="
                + enc("<script>canary</script>")
                + "&state="
                + enc(state2));
    assertThat(error(broken)).isEqualTo("provider_error");
    assertThat(broken.body()).doesNotContain("canary");
  }

  @Test
  void callbackInAnotherBrowserIsRefused() {
    Browser mine = new Browser(k.url());
    String back = mine.authorize(Browser.authorizationUrl(mine.start(miaToken, "generic", null)));
    assertThat(error(new Browser(k.url()).get(back))).isEqualTo("browser_mismatch");
    // The sign-in is used up: the right browser cannot finish it afterwards either.
    assertThat(error(mine.get(back))).isEqualTo("state_invalid");
  }

  @Test
  void returnToRedirectsBackToTheUiOnSuccessAndFailure() {
    Browser b = new Browser(k.url());
    String back =
        b.authorize(
            Browser.authorizationUrl(
                b.start(
                    miaToken,
                    "generic",
                    "{\"name\":\"ui\",\"returnTo\":\"/ui/profile?tab=integrations\"}")));
    HttpResponse<String> ok = b.get(back);
    assertThat(ok.statusCode()).isEqualTo(302);
    assertThat(ok.headers().firstValue("Location").orElseThrow())
        .matches("/ui/profile\\?tab=integrations&oauth=connected&integration=cred_[a-z0-9]+");
    String id =
        OAuthWorld.query(ok.headers().firstValue("Location").orElseThrow()).get("integration");
    assertThat(
            k.send("DELETE", "/api/v1/me/integrations/" + id + "/oauth", miaToken, null)
                .statusCode())
        .isEqualTo(200);

    String state =
        OAuthWorld.query(
                Browser.authorizationUrl(
                    b.start(miaToken, "generic", "{\"returnTo\":\"/ui/profile\"}")))
            .get("state");
    HttpResponse<String> denied =
        b.get(k.url() + "/oauth/callback?error=access_denied&state=" + enc(state));
    assertThat(denied.statusCode()).isEqualTo(302);
    assertThat(denied.headers().firstValue("Location"))
        .hasValue("/ui/profile?oauth=error&reason=access_denied");
  }

  @Test
  void returnToMustStayOnThisOrigin() {
    Browser b = new Browser(k.url());
    for (String bad :
        new String[] {
          "//evil.example/x",
          "https://evil.example/",
          "/\\\\evil.example",
          "javascript:alert(1)",
          "ui/profile",
          "/ui/profile#frag",
          "/ui/ profile"
        }) {
      HttpResponse<String> r =
          b.start(miaToken, "generic", "{\"returnTo\":" + jsonString(bad) + "}");
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(Browser.json(r).get("message").asText()).contains("returnTo");
    }
  }

  @Test
  void unknownOrUnconfiguredProvidersAreExplained() {
    Browser b = new Browser(k.url());
    HttpResponse<String> unknown = b.start(miaToken, "nope", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    HttpResponse<String> github = b.start(miaToken, "github", null);
    assertThat(github.statusCode()).isEqualTo(400);
    assertThat(Browser.json(github).get("message").asText())
        .contains("KEYROOM_OAUTH_GITHUB_CLIENT_ID");
    JsonNode providers = Browser.json(k.get("/api/v1/oauth/providers", miaToken));
    assertThat(providers.toString())
        .contains("\"provider\":\"github\"")
        .contains("\"GH_TOKEN\"")
        .doesNotContain(OAuthWorld.CLIENT_SECRET);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String jsonString(String s) {
    return new com.fasterxml.jackson.databind.node.TextNode(s).toString();
  }
}
