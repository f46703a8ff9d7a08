package dev.keyroom.vault;

import dev.keyroom.catalog.Home;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import java.util.Objects;

/**
 * The only way to reach credentials: a tenant plus a home, and for integrations the owning user.
 * Every query of the vault is bound to one scope, so a credential of another tenant or another user
 * is simply not there.
 */
public record CredentialScope(TenantId tenant, Home home, UserId owner) {
  public CredentialScope {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(home, "home");
    if ((home == Home.USER) != (owner != null)) {
      throw new IllegalArgumentException(
          "user integrations have an owner; tenant secrets have none");
    }
  }

  /** Config → Secrets of a tenant. */
  public static CredentialScope tenantSecrets(TenantId tenant) {
    return new CredentialScope(tenant, Home.TENANT, null);
  }

  /** Profile → Integrations of one user. */
  public static CredentialScope integrationsOf(TenantId tenant, UserId user) {
    return new CredentialScope(tenant, Home.USER, Objects.requireNonNull(user, "user"));
  }

  String ownerKey() {
    return owner == null ? "" : owner.value();
  }
}
