package dev.keyroom.vault;

import dev.keyroom.crypto.SecretValue;

/** A credential opened for one use: its metadata and the decrypted value. */
public record ResolvedCredential(CredentialInfo info, SecretValue value) {
  @Override
  public String toString() {
    return "ResolvedCredential[id="
        + info.id()
        + ", version="
        + info.version()
        + ", value=[REDACTED]]";
  }
}
