package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Posts the web sign-in form the way a browser does (pre-session cookie plus its form token). */
final class WebSignInForm {
  private static final Pattern TOKEN = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final TestKeyroom k;
  private String cookie;
  private String token;

  WebSignInForm(TestKeyroom k) {
    this.k = k;
  }

  /** Loads the form once; the same pre-session cookie serves many posts (as a browser tab does). */
  private void load() throws IOException, InterruptedException {
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(k.url() + "/signin")).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = TOKEN.matcher(page.body());
    assertThat(m.find()).as("the sign-in form has a form token").isTrue();
    token = m.group(1);
    cookie =
        page.headers().allValues("set-cookie").stream()
            .filter(c -> c.startsWith("keyroom_signin="))
            .findFirst()
            .orElseThrow()
            .split(";")[0];
  }

  HttpResponse<String> post(String tenant, String user, String password) {
    try {
      if (cookie == null) {
        load();
      }
      String body =
          "_csrf="
              + token
              + "&tenant="
              + tenant
              + "&name="
              + URLEncoder.encode(user, StandardCharsets.UTF_8)
              + "&password="
              + URLEncoder.encode(password, StandardCharsets.UTF_8);
      return http.send(
          HttpRequest.newBuilder(URI.create(k.url() + "/signin"))
              .header("Cookie", cookie)
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
