package dev.keyroom.vault;

import dev.keyroom.tenancy.TenantId;

/**
 * A credential was revoked, replaced or deleted. Published after the change commits, so proxy
 * caches and live sessions holding a copy can react at once.
 */
public record CredentialChange(
    TenantId tenant,
    CredentialScope scope,
    CredentialId credential,
    String kind,
    Type type,
    int version,
    String actor) {

  /** What happened. */
  public enum Type {
    REVOKED,
    REPLACED,
    DELETED
  }
}
