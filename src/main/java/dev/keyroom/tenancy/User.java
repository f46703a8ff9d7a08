package dev.keyroom.tenancy;

/** A person in a tenant. {@code status} is {@code active} or {@code disabled}. */
public record User(
    UserId id, TenantId tenant, String name, Role role, String status, long createdAt) {
  public boolean isActive() {
    return "active".equals(status);
  }
}
