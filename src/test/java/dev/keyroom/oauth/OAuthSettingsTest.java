package dev.keyroom.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyroom.app.Config;
import dev.keyroom.catalog.Catalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator settings for OAuth providers: environment and files, never a client secret on the
 * command line.
 */
class OAuthSettingsTest {
  @TempDir Path dir;

  @Test
  void settingsComeFromTheEnvironmentAndTheSecretFromAFile() throws Exception {
    Path secret = dir.resolve("gh-secret");
    Files.writeString(secret, "canary-gh-client-secret-1e9a\n");
    Config c =
        Config.resolve(
            Map.of("oauth-gitlab-client-id", "gl-id"),
            Map.of(
                "KEYROOM_OAUTH_GITHUB_CLIENT_ID", "gh-id",
                "KEYROOM_OAUTH_GITHUB_CLIENT_SECRET_FILE", secret.toString(),
                "KEYROOM_OAUTH_GENERIC_TOKEN_URL", "https://idp.example/token",
                "KEYROOM_OAUTH_GENERIC_SCOPES", "openid,email"));
    assertThat(c.oauth())
        .containsEntry("github.client-id", "gh-id")
        .containsEntry("github.client-secret", "canary-gh-client-secret-1e9a")
        .containsEntry("gitlab.client-id", "gl-id")
        .containsEntry("generic.token-url", "https://idp.example/token");
    assertThat(c.describe())
        .contains("oauth-github-client-id=gh-id")
        .doesNotContain("canary-gh-client-secret");

    OAuthProviders providers = new OAuthProviders(Catalog.load(), c.oauth());
    OAuthProvider gh = providers.requireConfigured("github");
    assertThat(gh.clientSecret().revealUtf8()).isEqualTo("canary-gh-client-secret-1e9a");
    assertThat(gh.toString()).doesNotContain("canary");
    assertThat(gh.describe().toString()).doesNotContain("canary");
    assertThat(gh.tokenUrl()).isEqualTo("https://github.com/login/oauth/access_token");
    assertThat(providers.forKind("oauth2").scopes()).containsExactly("openid", "email");
    assertThat(providers.all())
        .extracting(OAuthProvider::id)
        .containsExactly("github", "gitlab", "google", "generic");
  }

  @Test
  void clientSecretOnTheCommandLineIsRefused() {
    assertThatThrownBy(
            () -> Config.resolve(Map.of("oauth-github-client-secret", "canary"), Map.of()))
        .isInstanceOf(Config.ConfigException.class)
        .hasMessageContaining("never taken from the command line")
        .hasMessageNotContaining("canary");
    assertThatThrownBy(() -> Config.resolve(Map.of("oauth-github-colour", "x"), Map.of()))
        .isInstanceOf(Config.ConfigException.class)
        .hasMessageContaining("client-id");
  }

  @Test
  void endpointsMustUseTlsExceptOnLoopback() {
    for (String bad :
        new String[] {
          "http://idp.example/token", "ftp://idp.example/token", "https://user:pw@idp.example/token"
        }) {
      assertThatThrownBy(() -> new OAuthProviders(Catalog.load(), Map.of("generic.token-url", bad)))
          .as(bad)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("token-url")
          .hasMessageNotContaining("pw");
    }
    assertThat(
            new OAuthProviders(
                    Catalog.load(), Map.of("generic.token-url", "http://127.0.0.1:9/token"))
                .forKind("oauth2")
                .tokenUrl())
        .isEqualTo("http://127.0.0.1:9/token");
  }

  @Test
  void returnToAcceptsOnlySameOriginPaths() {
    assertThat(ReturnTo.check("/ui/profile?tab=integrations"))
        .isEqualTo("/ui/profile?tab=integrations");
    assertThat(ReturnTo.check(null)).isNull();
    for (String bad :
        new String[] {
          "//evil.example",
          "/\\evil",
          "https://evil.example",
          "evil",
          "/a\nb",
          "/a#b",
          "/" + "a".repeat(600)
        }) {
      assertThatThrownBy(() -> ReturnTo.check(bad))
          .as(bad)
          .isInstanceOf(dev.keyroom.error.InvalidInputException.class);
    }
  }

  @Test
  void secretCarriersPrintRedacted() {
    assertThat(Pkce.generate().toString()).contains("[REDACTED]");
    TokenBundle b =
        new TokenBundle(
            dev.keyroom.crypto.SecretValue.ofUtf8("canary-a"),
            dev.keyroom.crypto.SecretValue.ofUtf8("canary-r"),
            "Bearer",
            1L,
            java.util.List.of("x"));
    assertThat(b.toString()).doesNotContain("canary");
    assertThat(TokenBundle.fromSecret(b.toSecret()).refreshToken().revealUtf8())
        .isEqualTo("canary-r");
    assertThat(
            new TokenResponse(
                    b.accessToken(),
                    b.refreshToken(),
                    "Bearer",
                    60L,
                    java.util.List.of(),
                    "id.token.x")
                .toString())
        .doesNotContain("canary")
        .doesNotContain("id.token");
  }

  @Test
  void idTokenChecksNonceAudienceAndIssuer() {
    java.util.Base64.Encoder e = java.util.Base64.getUrlEncoder().withoutPadding();
    String body =
        e.encodeToString(
            "{\"nonce\":\"n1\",\"aud\":[\"c\"],\"iss\":\"https://idp\",\"exp\":9999999999}"
                .getBytes());
    String token = "h." + body + ".s";
    assertThat(IdTokenCheck.problem(token, "n1", "c", "https://idp", 0)).isNull();
    assertThat(IdTokenCheck.problem(token, "n2", "c", "https://idp", 0)).contains("nonce");
    assertThat(IdTokenCheck.problem(token, "n1", "other", "https://idp", 0)).contains("aud");
    assertThat(IdTokenCheck.problem(token, "n1", "c", "https://evil", 0)).contains("iss");
    assertThat(IdTokenCheck.problem(null, "n1", "c", null, 0)).contains("no ID token");
  }
}
