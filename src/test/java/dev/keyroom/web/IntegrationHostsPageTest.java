package dev.keyroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Profile → Integrations over real HTTP forms: a git token is added with its git hosts, shows them,
 * and its owner changes them; bad hosts and a value with a control character are refused on the
 * page with the rule, never the value.
 */
class IntegrationHostsPageTest {
  static final String TOKEN = "test-git-token-pageHostsCanary_0123456789abcdef";
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  @TempDir Path dir;
  final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @Test
  void gitHostsAreSetShownAndChangedOnTheIntegrationsPage_andControlCharactersAreRefused()
      throws Exception {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      Tenancy.Founded acme = new WebSignInTest().acme(k);
      WebSignInTest signIn = new WebSignInTest();
      HttpResponse<String> signedIn = signIn.signIn(k, "admin", WebSignInTest.PASSWORD);
      String cookie =
          signedIn.headers().allValues("set-cookie").stream()
              .filter(c -> c.startsWith(WebRouter.SESSION_COOKIE + "="))
              .findFirst()
              .orElseThrow()
              .split(";")[0];
      CredentialScope mine = CredentialScope.integrationsOf(acme.tenant().id(), acme.admin().id());

      HttpResponse<String> added =
          post(
              k,
              cookie,
              "/profile/integrations",
              "kind=git-token&name=work&value="
                  + enc(TOKEN)
                  + "&hosts="
                  + enc("git.example.com:8443, GitLab.example.com"));
      assertThat(added.statusCode()).as(added.body()).isEqualTo(302);
      CredentialInfo c = k.keyroom.vault().list(mine).get(0);
      assertThat(c.hosts()).containsExactly("git.example.com:8443", "gitlab.example.com");
      assertThat(page(k, cookie).body())
          .contains("for git.example.com:8443, gitlab.example.com")
          .doesNotContain(TOKEN);

      HttpResponse<String> wildcard =
          post(
              k,
              cookie,
              "/profile/integrations/" + c.id() + "/hosts",
              "hosts=" + enc("*.example.com"));
      assertThat(wildcard.statusCode()).isEqualTo(400);
      assertThat(wildcard.body()).contains("hosts[0]").contains("no wildcards");
      HttpResponse<String> changed =
          post(k, cookie, "/profile/integrations/" + c.id() + "/hosts", "hosts=github.com");
      assertThat(changed.statusCode()).as(changed.body()).isEqualTo(302);
      assertThat(k.keyroom.vault().get(mine, new dev.keyroom.vault.CredentialId(c.id())).hosts())
          .isEqualTo(List.of("github.com"));

      HttpResponse<String> controlCharacter =
          post(
              k,
              cookie,
              "/profile/integrations",
              "kind=git-token&name=other&value=" + enc("ghp_inner\r\nX-Injected: 1"));
      assertThat(controlCharacter.statusCode()).isEqualTo(400);
      assertThat(controlCharacter.body())
          .contains("control characters")
          .contains("HTTP header")
          .doesNotContain("ghp_inner");
      assertThat(k.keyroom.vault().list(mine)).hasSize(1);
    }
  }

  HttpResponse<String> page(TestKeyroom k, String cookie) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(k.url() + "/profile/integrations"))
            .header("Cookie", cookie)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(TestKeyroom k, String cookie, String path, String form)
      throws Exception {
    Matcher m = CSRF.matcher(page(k, cookie).body());
    assertThat(m.find()).isTrue();
    return http.send(
        HttpRequest.newBuilder(URI.create(k.url() + path))
            .header("Cookie", cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Origin", k.url())
            .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + enc(m.group(1)) + "&" + form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
