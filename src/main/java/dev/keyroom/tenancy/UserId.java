package dev.keyroom.tenancy;

import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Identifiers;
import java.util.Objects;

/** Identifies a user within a tenant. */
public record UserId(String value) {
  public static final String PREFIX = "usr";

  public UserId {
    Objects.requireNonNull(value, "UserId");
  }

  public static UserId generate() {
    return new UserId(Identifiers.random(PREFIX));
  }

  /** Parses an id from a request path; a malformed id is simply not found. */
  public static UserId parse(String raw) {
    if (!Identifiers.hasShape(raw, PREFIX)) {
      throw new NotFoundException("no user with that id");
    }
    return new UserId(raw);
  }

  @Override
  public String toString() {
    return value;
  }
}
