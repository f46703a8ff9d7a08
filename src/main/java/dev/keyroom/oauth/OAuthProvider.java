package dev.keyroom.oauth;

import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.crypto.SecretValue;
import java.util.List;
import java.util.Map;

/**
 * One OAuth provider as this Keyroom is configured for it: the catalog's endpoints with the
 * operator's overrides, and the client credentials. The client secret stays a {@link SecretValue}.
 *
 * @param revocationUrl RFC 7009 endpoint, or null when the provider has none
 * @param clientSecret null for public clients (PKCE only)
 */
public record OAuthProvider(
    String id,
    CredentialKind kind,
    boolean oidc,
    String issuer,
    String authorizeUrl,
    String tokenUrl,
    String revocationUrl,
    String userinfoUrl,
    String accountClaim,
    List<String> scopes,
    String clientAuth,
    Map<String, String> authorizeParams,
    String clientId,
    SecretValue clientSecret) {

  /** True when an operator gave everything a login needs. */
  public boolean configured() {
    return clientId != null && authorizeUrl != null && tokenUrl != null;
  }

  /** What the API shows of a provider: no client secret, not even whether it is set. */
  public Map<String, Object> describe() {
    return Map.of(
        "provider",
        id,
        "kind",
        kind.id(),
        "displayName",
        kind.displayName(),
        "configured",
        configured(),
        "oidc",
        oidc,
        "scopes",
        scopes,
        "revocation",
        revocationUrl != null,
        "delivery",
        kind.delivery().wire(),
        "env",
        kind.env());
  }

  @Override
  public String toString() {
    return "OAuthProvider[id=" + id + ", clientId=" + clientId + ", clientSecret=[REDACTED]]";
  }
}
