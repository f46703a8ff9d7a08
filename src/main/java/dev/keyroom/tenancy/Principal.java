package dev.keyroom.tenancy;

import dev.keyroom.error.ForbiddenException;

/**
 * Who is calling: a user (with a role) or the platform's service identity of one tenant.
 *
 * @param user null for the service identity
 */
public record Principal(TenantId tenant, UserId user, Role role, TokenId token, boolean service) {

  public static Principal user(TenantId tenant, UserId user, Role role, TokenId token) {
    return new Principal(tenant, user, role, token, false);
  }

  public static Principal service(TenantId tenant, TokenId token) {
    return new Principal(tenant, null, null, token, true);
  }

  public boolean isAdmin() {
    return !service && role == Role.ADMIN;
  }

  /** How the audit log names this caller. */
  public String auditName() {
    return service ? "service:" + token.value() : "user:" + user.value();
  }

  public void requireAdmin(String what) {
    if (!isAdmin()) {
      throw new ForbiddenException(what + " requires the admin role");
    }
  }

  public UserId requireUser(String what) {
    if (service || user == null) {
      throw new ForbiddenException(
          what + " is for users; the service token acts on behalf of a named user");
    }
    return user;
  }
}
