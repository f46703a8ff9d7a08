package dev.keyroom.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyroom.crypto.SecretValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * The tokens of one OAuth integration — the value the vault encrypts (as one JSON document, bound
 * to its row like every credential). Prints as {@code [REDACTED]}.
 *
 * @param refreshToken null when the provider issued none
 * @param expiresAt epoch millis, or null when the provider gave no lifetime
 */
public record TokenBundle(
    SecretValue accessToken,
    SecretValue refreshToken,
    String tokenType,
    Long expiresAt,
    List<String> scopes) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * The bundle after a refresh: a rotated refresh token replaces the old one; otherwise the old one
   * stays.
   */
  public TokenBundle refreshedWith(TokenResponse r, long now) {
    return new TokenBundle(
        r.accessToken(),
        r.refreshToken() != null ? r.refreshToken() : refreshToken,
        r.tokenType() == null ? tokenType : r.tokenType(),
        r.expiresAt(now),
        r.scopes().isEmpty() ? scopes : r.scopes());
  }

  static TokenBundle from(TokenResponse r, long now, List<String> requested) {
    return new TokenBundle(
        r.accessToken(),
        r.refreshToken(),
        r.tokenType(),
        r.expiresAt(now),
        r.scopes().isEmpty() ? requested : r.scopes());
  }

  /**
   * The vault value. The last field is not secret, so the vault's hint shows nothing of a token.
   */
  SecretValue toSecret() {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("access_token", accessToken.revealUtf8());
    if (refreshToken != null) {
      n.put("refresh_token", refreshToken.revealUtf8());
    }
    n.put("token_type", tokenType == null ? "Bearer" : tokenType);
    if (expiresAt != null) {
      n.put("expires_at", expiresAt);
    }
    n.put("scope", String.join(" ", scopes));
    n.put("v", 1);
    try {
      return SecretValue.ofBytes(MAPPER.writeValueAsBytes(n));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode token bundle", e);
    }
  }

  static TokenBundle fromSecret(SecretValue value) {
    byte[] bytes = value.reveal();
    try {
      JsonNode n = MAPPER.readTree(bytes);
      String scope = n.path("scope").asText("");
      return new TokenBundle(
          SecretValue.ofUtf8(n.path("access_token").asText()),
          n.hasNonNull("refresh_token")
              ? SecretValue.ofUtf8(n.get("refresh_token").asText())
              : null,
          n.path("token_type").asText("Bearer"),
          n.hasNonNull("expires_at") ? n.get("expires_at").asLong() : null,
          scope.isBlank() ? List.of() : List.of(scope.trim().split(" +")));
    } catch (IOException e) {
      throw new IllegalStateException("stored OAuth token bundle is not readable JSON", e);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "TokenBundle[accessToken=[REDACTED], refreshToken=[REDACTED], expiresAt="
        + expiresAt
        + "]";
  }
}
