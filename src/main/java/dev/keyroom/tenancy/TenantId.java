package dev.keyroom.tenancy;

import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Identifiers;
import java.util.Objects;

/** Identifies a tenant (an organisation). */
public record TenantId(String value) {
  public static final String PREFIX = "ten";

  public TenantId {
    Objects.requireNonNull(value, "TenantId");
  }

  public static TenantId generate() {
    return new TenantId(Identifiers.random(PREFIX));
  }

  /** Parses an id from a request path; a malformed id is simply not found. */
  public static TenantId parse(String raw) {
    if (!Identifiers.hasShape(raw, PREFIX)) {
      throw new NotFoundException("no tenant with that id");
    }
    return new TenantId(raw);
  }

  @Override
  public String toString() {
    return value;
  }
}
