package dev.keyroom.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyroom.api.OutboundHttp;
import dev.keyroom.crypto.SecretValue;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Talks to a provider's token, userinfo and revocation endpoints. Secrets travel only in request
 * bodies and headers, never in a URL. Errors carry the OAuth error code only: provider free text
 * ({@code error_description}) and bodies may echo what was sent, so they never reach a message.
 */
public final class ProviderClient {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern ERROR_CODE = Pattern.compile("[a-z_]{1,64}");

  private final OutboundHttp http;
  private final Duration timeout;

  public ProviderClient(Duration connectTimeout, Duration timeout) {
    this.http = new OutboundHttp(connectTimeout);
    this.timeout = timeout;
  }

  /** Authorization code → tokens (RFC 6749 §4.1.3, with the PKCE verifier of RFC 7636 §4.5). */
  public TokenResponse exchangeCode(
      OAuthProvider p, String code, String redirectUri, String verifier) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", redirectUri);
    form.put("code_verifier", verifier);
    return tokenRequest(p, form);
  }

  /** Refresh token → tokens (RFC 6749 §6). */
  public TokenResponse refresh(OAuthProvider p, SecretValue refreshToken) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("refresh_token", refreshToken.revealUtf8());
    return tokenRequest(p, form);
  }

  /** RFC 7009 revocation. Succeeds on 200; anything else is reported as a failure. */
  public void revoke(OAuthProvider p, SecretValue token, String hint) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("token", token.revealUtf8());
    form.put("token_type_hint", hint);
    HttpResponse<String> r = post(p, p.revocationUrl(), form, "revocation");
    if (r.statusCode() != 200) {
      throw failure(p, "revocation", r);
    }
  }

  /** The userinfo document (OpenID Connect userinfo, or a provider's "current user" API). */
  public JsonNode userinfo(OAuthProvider p, SecretValue accessToken) {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(p.userinfoUrl()))
            .timeout(timeout)
            .header(
                "Authorization",
                dev.keyroom.api.CredentialHeader.value(
                    "the access token from provider " + p.id(), "Bearer {key}", accessToken))
            .header("Accept", "application/json")
            .header("User-Agent", "keyroom")
            .GET()
            .build();
    HttpResponse<String> r = send(p, req, "userinfo");
    if (r.statusCode() != 200) {
      throw failure(p, "userinfo", r);
    }
    try {
      return MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.REJECTED,
          "invalid_response",
          "provider " + p.id() + ": userinfo endpoint answered with something that is not JSON");
    }
  }

  private TokenResponse tokenRequest(OAuthProvider p, Map<String, String> form) {
    HttpResponse<String> r = post(p, p.tokenUrl(), form, "token");
    JsonNode body;
    try {
      body = MAPPER.readTree(r.body());
    } catch (IOException e) {
      body = null;
    }
    // Some providers (GitHub) answer errors with 200 and an "error" field.
    if (r.statusCode() != 200
        || body == null
        || body.hasNonNull("error")
        || !body.hasNonNull("access_token")) {
      throw failure(p, "token", r);
    }
    String scope = body.path("scope").asText("");
    return new TokenResponse(
        SecretValue.ofUtf8(body.get("access_token").asText()),
        body.hasNonNull("refresh_token")
            ? SecretValue.ofUtf8(body.get("refresh_token").asText())
            : null,
        body.path("token_type").asText("Bearer"),
        body.hasNonNull("expires_in") ? body.get("expires_in").asLong() : null,
        scope.isBlank() ? List.of() : List.of(scope.trim().split("[ ,]+")),
        body.hasNonNull("id_token") ? body.get("id_token").asText() : null);
  }

  private HttpResponse<String> post(
      OAuthProvider p, String url, Map<String, String> form, String endpoint) {
    Map<String, String> body = new LinkedHashMap<>(form);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .header("User-Agent", "keyroom");
    if (p.clientSecret() != null && p.clientAuth().equals("basic")) {
      String pair = enc(p.clientId()) + ":" + enc(p.clientSecret().revealUtf8());
      b.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    } else {
      body.put("client_id", p.clientId());
      if (p.clientSecret() != null) {
        body.put("client_secret", p.clientSecret().revealUtf8());
      }
    }
    StringBuilder sb = new StringBuilder();
    body.forEach(
        (k, v) -> sb.append(sb.isEmpty() ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    return send(p, b.POST(HttpRequest.BodyPublishers.ofString(sb.toString())).build(), endpoint);
  }

  private HttpResponse<String> send(OAuthProvider p, HttpRequest req, String endpoint) {
    try {
      return http.client().send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ProviderException(
          ProviderException.Kind.TRANSIENT,
          "unreachable",
          "provider "
              + p.id()
              + ": "
              + endpoint
              + " endpoint unreachable ("
              + e.getClass().getSimpleName()
              + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(
          ProviderException.Kind.TRANSIENT,
          "interrupted",
          "provider " + p.id() + ": " + endpoint + " request interrupted");
    }
  }

  private static ProviderException failure(
      OAuthProvider p, String endpoint, HttpResponse<String> r) {
    int status = r.statusCode();
    String error = null;
    try {
      JsonNode n = MAPPER.readTree(r.body());
      if (n != null
          && n.hasNonNull("error")
          && ERROR_CODE.matcher(n.get("error").asText()).matches()) {
        error = n.get("error").asText();
      }
    } catch (IOException e) {
      error = null;
    }
    String prefix = "provider " + p.id() + ": " + endpoint + " endpoint answered " + status;
    if (status >= 500
        || status == 429
        || "temporarily_unavailable".equals(error)
        || "server_error".equals(error)) {
      return new ProviderException(
          ProviderException.Kind.TRANSIENT,
          error == null ? "http_" + status : error,
          prefix + (error == null ? "" : " (" + error + ")"));
    }
    if ("invalid_grant".equals(error)) {
      return new ProviderException(
          ProviderException.Kind.INVALID_GRANT, error, prefix + " (invalid_grant)");
    }
    return new ProviderException(
        ProviderException.Kind.REJECTED,
        error == null ? "http_" + status : error,
        prefix + (error == null ? "" : " (" + error + ")"));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
