package dev.keyroom.tenancy;

/** An organisation: the unit of isolation and of encryption keys. */
public record Tenant(TenantId id, String name, long createdAt) {}
