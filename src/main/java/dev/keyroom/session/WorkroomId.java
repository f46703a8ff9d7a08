package dev.keyroom.session;

import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Identifiers;
import java.util.Objects;

/** Identifies a workroom of a tenant. */
public record WorkroomId(String value) {
  public static final String PREFIX = "wr";

  public WorkroomId {
    Objects.requireNonNull(value, "WorkroomId");
  }

  public static WorkroomId generate() {
    return new WorkroomId(Identifiers.random(PREFIX));
  }

  /** Parses an id from a request path; a malformed id is simply not found. */
  public static WorkroomId parse(String raw) {
    if (!Identifiers.hasShape(raw, PREFIX)) {
      throw new NotFoundException("no workroom with that id");
    }
    return new WorkroomId(raw);
  }

  @Override
  public String toString() {
    return value;
  }
}
