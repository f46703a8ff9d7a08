package dev.keyroom.vault;

import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Identifiers;
import java.util.Objects;

/** Identifies a skill of a tenant. */
public record SkillId(String value) {
  public static final String PREFIX = "skl";

  public SkillId {
    Objects.requireNonNull(value, "SkillId");
  }

  public static SkillId generate() {
    return new SkillId(Identifiers.random(PREFIX));
  }

  /** Parses an id from a request path; a malformed id is simply not found. */
  public static SkillId parse(String raw) {
    if (!Identifiers.hasShape(raw, PREFIX)) {
      throw new NotFoundException("no skill with that id");
    }
    return new SkillId(raw);
  }

  @Override
  public String toString() {
    return value;
  }
}
