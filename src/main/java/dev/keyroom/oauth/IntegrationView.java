package dev.keyroom.oauth;

import dev.keyroom.vault.CredentialInfo;
import java.util.List;

/**
 * What the API shows of an OAuth integration: who it is connected as, its scopes, expiry, status
 * ({@code healthy}, {@code expiring}, {@code needs_reconnect}; {@code revoked} after a vault
 * revoke) and last use. There is no token field.
 */
public record IntegrationView(
    String id,
    String provider,
    String kind,
    String name,
    String account,
    String connectedAs,
    List<String> scopes,
    Long expiresAt,
    String status,
    String statusReason,
    boolean refreshable,
    Long refreshedAt,
    String lastError,
    Long lastErrorAt,
    CredentialInfo.LastUsed lastUsed,
    long createdAt) {}
