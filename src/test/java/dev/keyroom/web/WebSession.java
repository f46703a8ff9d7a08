package dev.keyroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A person signed in to the web UI over plain HTTP (no browser): the session cookie, pages by path,
 * and form posts carrying the page's CSRF token.
 */
final class WebSession {
  static final String PASSWORD = "a long enough passphrase for pages";
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  private final TestKeyroom k;
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final String cookie;

  private WebSession(TestKeyroom k, String cookie) {
    this.k = k;
    this.cookie = cookie;
  }

  /** Gives the founding admin of {@code tenant} a password and signs them in. */
  static WebSession admin(TestKeyroom k, Tenancy.Founded tenant) {
    return signIn(
        k,
        tenant.tenant().id(),
        tenant.tenant().name(),
        tenant.admin().id(),
        tenant.admin().name());
  }

  /** Gives the user a password and signs them in. */
  static WebSession signIn(
      TestKeyroom k, TenantId tenant, String tenantName, UserId user, String userName) {
    new Passwords(k.keyroom.db(), k.keyroom.tenancy(), k.keyroom.audit(), k.keyroom.clock())
        .set(tenant, user, PASSWORD, false, "test");
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> form =
        send(http, HttpRequest.newBuilder(URI.create(k.url() + "/signin")).build());
    Matcher m = CSRF.matcher(form.body());
    assertThat(m.find()).as("the sign-in form has a form token").isTrue();
    String pre =
        form.headers().allValues("set-cookie").stream()
            .filter(c -> c.startsWith(SignInPages.PRE_COOKIE + "="))
            .findFirst()
            .orElseThrow()
            .split(";")[0];
    String body =
        "_csrf="
            + enc(m.group(1))
            + "&tenant="
            + enc(tenantName)
            + "&name="
            + enc(userName)
            + "&password="
            + enc(PASSWORD);
    HttpResponse<String> signedIn =
        send(
            http,
            HttpRequest.newBuilder(URI.create(k.url() + "/signin"))
                .header("Cookie", pre)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
    String cookie =
        signedIn.headers().allValues("set-cookie").stream()
            .filter(c -> c.startsWith(WebRouter.SESSION_COOKIE + "="))
            .findFirst()
            .orElseThrow()
            .split(";")[0];
    return new WebSession(k, cookie);
  }

  /** The page at {@code pathAndQuery} (as a link's href gives it, HTML entities undone). */
  HttpResponse<String> get(String pathAndQuery) {
    return send(
        http,
        HttpRequest.newBuilder(URI.create(k.url() + unescape(pathAndQuery)))
            .header("Cookie", cookie)
            .build());
  }

  /** The page's body, asserting its status. */
  String page(String pathAndQuery, int status) {
    HttpResponse<String> res = get(pathAndQuery);
    assertThat(res.statusCode()).as(pathAndQuery + "\n" + res.body()).isEqualTo(status);
    return res.body();
  }

  /**
   * Posts a form (url-encoded {@code form}) with the CSRF token of the page at {@code formPage}.
   */
  HttpResponse<String> post(String formPage, String path, String form) {
    Matcher m = CSRF.matcher(page(formPage, 200));
    assertThat(m.find()).as("the page has a form token").isTrue();
    return send(
        http,
        HttpRequest.newBuilder(URI.create(k.url() + path))
            .header("Cookie", cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Origin", k.url())
            .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + enc(m.group(1)) + "&" + form))
            .build());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** An attribute value as HTML holds it, back to what a browser follows. */
  static String unescape(String html) {
    return html.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
