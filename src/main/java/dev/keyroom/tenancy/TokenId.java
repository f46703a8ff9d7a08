package dev.keyroom.tenancy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Identifiers;
import java.util.Objects;

/** Identifies an API token (never the token itself). Written to JSON as its plain string. */
public record TokenId(@JsonValue String value) {
  public static final String PREFIX = "tok";

  public TokenId {
    Objects.requireNonNull(value, "TokenId");
  }

  public static TokenId generate() {
    return new TokenId(Identifiers.random(PREFIX));
  }

  /** Parses an id from a request path; a malformed id is simply not found. */
  public static TokenId parse(String raw) {
    if (!Identifiers.hasShape(raw, PREFIX)) {
      throw new NotFoundException("no token with that id");
    }
    return new TokenId(raw);
  }

  @Override
  public String toString() {
    return value;
  }
}
