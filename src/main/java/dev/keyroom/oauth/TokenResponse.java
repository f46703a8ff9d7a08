package dev.keyroom.oauth;

import dev.keyroom.crypto.SecretValue;
import java.util.List;

/** A successful token-endpoint answer (RFC 6749 §5.1). Prints without its tokens. */
public record TokenResponse(
    SecretValue accessToken,
    SecretValue refreshToken,
    String tokenType,
    Long expiresIn,
    List<String> scopes,
    String idToken) {

  Long expiresAt(long now) {
    return expiresIn == null ? null : now + expiresIn * 1000;
  }

  @Override
  public String toString() {
    return "TokenResponse[expiresIn=" + expiresIn + ", scopes=" + scopes + ", tokens=[REDACTED]]";
  }
}
