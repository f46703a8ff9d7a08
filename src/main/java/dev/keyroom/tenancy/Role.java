package dev.keyroom.tenancy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.keyroom.error.InvalidInputException;

/** A user's role in their tenant. */
public enum Role {
  ADMIN("admin"),
  MEMBER("member");

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  public static Role parse(String value, String field) {
    for (Role r : values()) {
      if (r.wire.equals(value)) {
        return r;
      }
    }
    throw new InvalidInputException(field, "must be 'admin' or 'member'");
  }
}
