package dev.keyroom.session;

import dev.keyroom.crypto.SecretValue;
import dev.keyroom.vault.CredentialId;

/**
 * One variable of a session's environment. {@code secret} variables are masked by the launcher;
 * {@code source} names the credential version it came from (null for derived values such as base
 * URLs), which is what the delivery ledger records.
 */
public record SessionVariable(String name, SecretValue value, boolean secret, Source source) {

  /** The credential version a variable was decrypted from. */
  public record Source(CredentialId credential, int version) {}

  public static SessionVariable plain(String name, String value) {
    return new SessionVariable(name, SecretValue.ofUtf8(value), false, null);
  }

  public static SessionVariable secret(String name, String value, Source source) {
    return new SessionVariable(name, SecretValue.ofUtf8(value), true, source);
  }
}
