package dev.keyroom.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** A person's browser for the sign-in dance: keeps cookies, follows redirects one by one. */
final class Browser {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  final HttpClient http =
      HttpClient.newBuilder()
          .cookieHandler(new CookieManager())
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final String keyroom;

  Browser(String keyroomUrl) {
    this.keyroom = keyroomUrl;
  }

  /** POST …/start as the user; returns the response (authorizationUrl inside). */
  HttpResponse<String> start(String userToken, String provider, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(keyroom + "/api/v1/me/integrations/oauth/" + provider + "/start"))
            .header("Authorization", "Bearer " + userToken);
    if (body != null) {
      b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.POST(HttpRequest.BodyPublishers.noBody());
    }
    return send(b.build());
  }

  static String authorizationUrl(HttpResponse<String> started) {
    return json(started).get("authorizationUrl").asText();
  }

  /**
   * Follows the authorization URL at the provider; returns where the provider sends the browser
   * back to.
   */
  String authorize(String authorizationUrl) {
    HttpResponse<String> r = get(authorizationUrl);
    List<String> loc = r.headers().allValues("Location");
    if (r.statusCode() != 302 || loc.isEmpty()) {
      throw new IllegalStateException("provider did not redirect back: " + r.statusCode());
    }
    return loc.get(0);
  }

  HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
  }

  /** start → provider → callback, as a browser does it. */
  HttpResponse<String> connect(String userToken, String provider, String body) {
    HttpResponse<String> started = start(userToken, provider, body);
    if (started.statusCode() != 201) {
      throw new IllegalStateException(
          "start failed: " + started.statusCode() + " " + started.body());
    }
    return get(authorize(authorizationUrl(started)));
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<String> send(HttpRequest req) {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
