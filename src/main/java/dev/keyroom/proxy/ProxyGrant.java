package dev.keyroom.proxy;

import dev.keyroom.crypto.SecretValue;
import dev.keyroom.session.SessionInfo;
import dev.keyroom.vault.CredentialId;

/**
 * A placeholder that may be used right now: its live session, the tenant secret serving the
 * provider in that session's workroom, and the opened key.
 */
record ProxyGrant(
    SessionInfo session,
    String provider,
    String skill,
    CredentialId credential,
    int version,
    SecretValue key,
    long checkedAt) {
  @Override
  public String toString() {
    return "ProxyGrant[session="
        + session.id()
        + ", provider="
        + provider
        + ", credential="
        + credential
        + ", version="
        + version
        + ", key=[REDACTED]]";
  }
}
