package dev.keyroom.session;

import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Identifiers;
import java.util.Objects;

/** Identifies a session in a workroom. */
public record SessionId(String value) {
  public static final String PREFIX = "ses";

  public SessionId {
    Objects.requireNonNull(value, "SessionId");
  }

  public static SessionId generate() {
    return new SessionId(Identifiers.random(PREFIX));
  }

  /** Parses an id from a request path; a malformed id is simply not found. */
  public static SessionId parse(String raw) {
    if (!Identifiers.hasShape(raw, PREFIX)) {
      throw new NotFoundException("no session with that id");
    }
    return new SessionId(raw);
  }

  @Override
  public String toString() {
    return value;
  }
}
