package dev.keyroom.web;

import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;

/**
 * The person behind a browser session. {@code csrf} is derived from the session cookie, so a page
 * from another origin cannot know it.
 */
public record WebUser(
    TenantId tenant,
    String tenantName,
    UserId id,
    String name,
    Role role,
    String csrf,
    boolean mustChangePassword) {

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }

  /** How the audit log names this person. */
  public String auditName() {
    return "user:" + id.value();
  }
}
