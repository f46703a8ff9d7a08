package dev.keyroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.app.Config;
import dev.keyroom.cli.Main;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestKeyroom;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
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

/** Sign-in, browser sessions and the UI's security headers, over plain HTTP (no browser needed). */
class WebSignInTest {
  static final String PASSWORD = "a long enough passphrase";
  private static final Pattern TOKEN = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  @TempDir Path dir;
  final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  record Form(String cookie, String token) {}

  Form signInForm(TestKeyroom k) throws Exception {
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(k.url() + "/signin")).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = TOKEN.matcher(page.body());
    assertThat(m.find()).isTrue();
    String cookie =
        page.headers().allValues("set-cookie").stream()
            .filter(c -> c.startsWith(SignInPages.PRE_COOKIE + "="))
            .findFirst()
            .orElseThrow()
            .split(";")[0];
    return new Form(cookie, m.group(1));
  }

  HttpResponse<String> signIn(TestKeyroom k, String user, String password) throws Exception {
    Form f = signInForm(k);
    String body =
        "_csrf="
            + f.token()
            + "&tenant=acme&name="
            + user
            + "&password="
            + URLEncoder.encode(password, StandardCharsets.UTF_8);
    return http.send(
        HttpRequest.newBuilder(URI.create(k.url() + "/signin"))
            .header("Cookie", f.cookie())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  Tenancy.Founded acme(TestKeyroom k) {
    Tenancy.Founded f = k.tenant("acme");
    new Passwords(k.keyroom.db(), k.keyroom.tenancy(), k.keyroom.audit(), k.keyroom.clock())
        .set(f.tenant().id(), f.admin().id(), PASSWORD, false, "test");
    return f;
  }

  @Test
  void theOrganisationIsFilledInOnlyWhenThereIsJustOne() throws Exception {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      k.tenant("acme");
      String form =
          http.send(
                  HttpRequest.newBuilder(URI.create(k.url() + "/signin")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(form).contains("id=\"tenant\" name=\"tenant\" value=\"acme\"");
      k.tenant("globex");
      String two =
          http.send(
                  HttpRequest.newBuilder(URI.create(k.url() + "/signin")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(two)
          .contains("id=\"tenant\" name=\"tenant\" value=\"\"")
          .doesNotContain("acme")
          .doesNotContain("globex");
    }
  }

  @Test
  void signInSetsAStrictHttpOnlyCookie_andPagesCarryStrictHeaders() throws Exception {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      acme(k);
      HttpResponse<String> res = signIn(k, "admin", PASSWORD);
      assertThat(res.statusCode()).isEqualTo(302);
      String cookie =
          res.headers().allValues("set-cookie").stream()
              .filter(c -> c.startsWith(WebRouter.SESSION_COOKIE + "="))
              .findFirst()
              .orElseThrow();
      assertThat(cookie)
          .contains("HttpOnly")
          .contains("SameSite=Strict")
          .contains("Path=/")
          .doesNotContain("Secure");
      for (String path :
          List.of(
              "/signin", "/workrooms", "/config/secrets", "/audit", "/users", "/profile/tokens")) {
        HttpResponse<String> page =
            http.send(
                HttpRequest.newBuilder(URI.create(k.url() + path))
                    .header("Cookie", cookie.split(";")[0])
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
            .as(path)
            .contains("default-src 'none'")
            .contains("script-src 'self'")
            .contains("frame-ancestors 'none'")
            .doesNotContain("unsafe");
        assertThat(page.headers().firstValue("x-frame-options")).contains("DENY");
        assertThat(page.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(page.headers().firstValue("cache-control")).contains("no-store");
        assertThat(page.body())
            .as(path)
            .doesNotContain("<script>")
            .doesNotContain(" style=")
            .doesNotContain("onclick");
      }
    }
  }

  @Test
  void cookiesAreSecureWhenThePublicUrlIsHttps() throws Exception {
    try (TestKeyroom k =
        TestKeyroom.start(
            TestKeyroom.config(dir, dev.keyroom.testing.TestDatabases.sqliteUrl(dir))
                .with(Config.Setting.PUBLIC_URL, "https://keyroom.example"),
            c -> c)) {
      acme(k);
      HttpResponse<String> res = signIn(k, "admin", PASSWORD);
      assertThat(res.headers().allValues("set-cookie"))
          .anyMatch(c -> c.startsWith(WebRouter.SESSION_COOKIE + "=") && c.contains("Secure"));
    }
  }

  @Test
  void failedSignInsAreLimitedPerAccount() throws Exception {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      acme(k);
      for (int i = 0; i < 5; i++) {
        assertThat(signIn(k, "admin", "wrong password " + i).statusCode()).isEqualTo(401);
      }
      HttpResponse<String> limited = signIn(k, "admin", PASSWORD);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.body()).contains("Too many failed attempts");
      assertThat(limited.headers().allValues("set-cookie"))
          .noneMatch(c -> c.startsWith(WebRouter.SESSION_COOKIE + "="));
    }
  }

  @Test
  void pagesNeedASignIn_andArrivalsFromOtherSitesContinueOnOurOrigin() throws Exception {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      HttpResponse<String> res =
          http.send(
              HttpRequest.newBuilder(URI.create(k.url() + "/config/secrets")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(302);
      assertThat(res.headers().firstValue("location")).contains("/signin?next=%2Fconfig%2Fsecrets");
      HttpResponse<String> cross =
          http.send(
              HttpRequest.newBuilder(URI.create(k.url() + "/profile/integrations?oauth=connected"))
                  .header("Sec-Fetch-Site", "cross-site")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(cross.statusCode()).isEqualTo(200);
      assertThat(cross.body())
          .contains(
              "http-equiv=\"refresh\" content=\"0;url=/profile/integrations?oauth=connected\"");
    }
  }

  @Test
  void nextParameterNeverLeavesThisOrigin() {
    for (String bad :
        List.of(
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "/signin",
            "javascript:alert(1)",
            "/x\"><script>")) {
      assertThat(SignInPages.safeNext(bad)).as(bad).isEqualTo("/");
    }
    assertThat(SignInPages.safeNext("/workrooms/wr_abc?created=1"))
        .isEqualTo("/workrooms/wr_abc?created=1");
  }

  @Test
  void argon2idHashesVerifyOnlyTheRightPassword() {
    Argon2id argon = new Argon2id(1024, 1);
    String hash = argon.hash("right password");
    assertThat(hash).startsWith("$argon2id$v=19$m=1024,t=1,p=1$").doesNotContain("right password");
    assertThat(argon.verify("right password", hash)).isTrue();
    assertThat(argon.verify("wrong password", hash)).isFalse();
    // one digest character changed: not one of the last two, whose low bits base64 may ignore
    // (replacing them with "AA" left the digest unchanged in about one hash in a thousand)
    int at = hash.length() - 5;
    String tampered =
        hash.substring(0, at) + (hash.charAt(at) == 'A' ? 'B' : 'A') + hash.substring(at + 1);
    assertThat(argon.verify("right password", tampered)).isFalse();
    assertThat(argon.verify("right password", "$2a$10$notargon")).isFalse();
    assertThat(argon.hash("right password")).isNotEqualTo(hash);
  }

  @Test
  void createTenantPrintsAOneTimePassword_andSetPasswordReadsStdin() throws Exception {
    String[] store = {"--data-dir", dir.toString()};
    String out =
        run(null, concat(new String[] {"admin", "create-tenant", "acme", "--create-store"}, store));
    Matcher m = Pattern.compile("one-time password[^\\n]*\\n([A-Za-z0-9-]{23})").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    String newPassword = "operator chose this one";
    String set =
        run(
            newPassword + "\n",
            concat(
                new String[] {"admin", "set-password", "--tenant", "acme", "--user", "admin"},
                store));
    assertThat(set).contains("password set for admin").doesNotContain(newPassword);
    try (TestKeyroom k =
        TestKeyroom.start(
            TestKeyroom.config(dir, dev.keyroom.testing.TestDatabases.sqliteUrl(dir)), c -> c)) {
      Passwords p =
          new Passwords(k.keyroom.db(), k.keyroom.tenancy(), k.keyroom.audit(), k.keyroom.clock());
      assertThat(p.check("acme", "admin", newPassword))
          .hasValueSatisfying(a -> assertThat(a.mustChange()).isFalse());
      assertThat(p.check("acme", "admin", m.group(1))).isEmpty();
      List<String> hashes =
          k.keyroom
              .db()
              .jdbi()
              .withHandle(
                  h -> h.createQuery("SELECT hash FROM web_passwords").mapTo(String.class).list());
      assertThat(hashes)
          .allSatisfy(
              hash -> assertThat(hash).startsWith("$argon2id$").doesNotContain(newPassword));
    }
  }

  private static String run(String stdin, String... args) {
    PrintStream out = System.out;
    InputStream in = System.in;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      if (stdin != null) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      }
      assertThat(Main.run(args)).as(String.join(" ", args)).isZero();
    } finally {
      System.setOut(out);
      System.setIn(in);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
