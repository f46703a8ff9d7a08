package dev.keyroom.oauth;

import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.CredentialId;
import java.util.List;

/** What Keyroom keeps about an OAuth integration besides its (encrypted) tokens. Nothing secret. */
record IntegrationState(
    CredentialId id,
    TenantId tenant,
    UserId user,
    String provider,
    String account,
    List<String> scopes,
    Long expiresAt,
    boolean hasRefreshToken,
    String status,
    String statusReason,
    long generation,
    Long refreshedAt,
    int failures,
    String lastError,
    Long lastErrorAt,
    long createdAt) {

  static final String HEALTHY = "healthy";
  static final String NEEDS_RECONNECT = "needs_reconnect";

  boolean needsReconnect() {
    return NEEDS_RECONNECT.equals(status);
  }

  /** True when the access token is good for at least {@code aheadMs} more. */
  boolean fresh(long now, long aheadMs) {
    return expiresAt == null || expiresAt - aheadMs > now;
  }

  /**
   * The status people see: healthy, expiring (will lapse and cannot be refreshed) or
   * needs_reconnect.
   */
  String shownStatus(long now) {
    if (needsReconnect()) {
      return NEEDS_RECONNECT;
    }
    if (!hasRefreshToken && expiresAt != null) {
      if (expiresAt <= now) {
        return NEEDS_RECONNECT;
      }
      if (expiresAt - now < 24 * 3600_000L) {
        return "expiring";
      }
    }
    return HEALTHY;
  }
}
