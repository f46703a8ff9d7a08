package dev.keyroom.vault;

import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Identifiers;
import java.util.Objects;

/** Identifies a credential: a skill secret or an integration. */
public record CredentialId(String value) {
  public static final String PREFIX = "cred";

  public CredentialId {
    Objects.requireNonNull(value, "CredentialId");
  }

  public static CredentialId generate() {
    return new CredentialId(Identifiers.random(PREFIX));
  }

  /** Parses an id from a request path; a malformed id is simply not found. */
  public static CredentialId parse(String raw) {
    if (!Identifiers.hasShape(raw, PREFIX)) {
      throw new NotFoundException("no credential with that id");
    }
    return new CredentialId(raw);
  }

  @Override
  public String toString() {
    return value;
  }
}
