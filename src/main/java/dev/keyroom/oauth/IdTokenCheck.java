package dev.keyroom.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Checks an OpenID Connect ID token received directly from the token endpoint over TLS: nonce,
 * audience, issuer and expiry (OpenID Connect Core §3.1.3.7; with the code flow, the TLS channel to
 * the token endpoint stands in for the signature check, item 6).
 */
final class IdTokenCheck {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private IdTokenCheck() {}

  /** Returns null when the token is acceptable, else the rule it breaks (no token content). */
  static String problem(
      String idToken, String expectedNonce, String clientId, String issuer, long now) {
    if (idToken == null) {
      return "the provider returned no ID token";
    }
    String[] parts = idToken.split("\\.");
    if (parts.length < 2) {
      return "the ID token is not a JWT";
    }
    JsonNode claims;
    try {
      claims = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IOException | IllegalArgumentException e) {
      return "the ID token's claims are not readable";
    }
    String nonce = claims.path("nonce").asText(null);
    if (nonce == null
        || expectedNonce == null
        || !MessageDigest.isEqual(
            nonce.getBytes(StandardCharsets.UTF_8),
            expectedNonce.getBytes(StandardCharsets.UTF_8))) {
      return "the ID token's nonce does not match this sign-in";
    }
    JsonNode aud = claims.path("aud");
    boolean audOk = aud.isTextual() ? aud.asText().equals(clientId) : false;
    if (aud.isArray()) {
      for (JsonNode a : aud) {
        audOk |= a.asText().equals(clientId);
      }
    }
    if (!audOk) {
      return "the ID token was not issued to this client (aud)";
    }
    if (issuer != null && !issuer.isBlank() && !issuer.equals(claims.path("iss").asText())) {
      return "the ID token comes from another issuer (iss)";
    }
    if (claims.has("exp") && claims.get("exp").asLong() * 1000 < now - 60_000) {
      return "the ID token has expired";
    }
    return null;
  }
}
