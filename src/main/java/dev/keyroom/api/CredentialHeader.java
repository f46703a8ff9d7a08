package dev.keyroom.api;

import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.ConflictException;

/**
 * Builds an outbound HTTP header value from a stored credential. A value that holds a character a
 * header may not carry (CR, LF, another control character, or one outside Latin-1) is refused here
 * with a message that names the credential and the rule — the HTTP client would otherwise throw an
 * exception whose message quotes the whole header, key included.
 */
public final class CredentialHeader {
  private CredentialHeader() {}

  /**
   * {@code format} with {@code {key}} replaced by the credential's value.
   *
   * @param credential the credential's id (or another name for it), for the message
   */
  public static String value(String credential, String format, SecretValue secret) {
    String value = secret.revealUtf8();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
        throw new ConflictException(
            "credential "
                + credential
                + " cannot be sent in an HTTP header: its value holds "
                + (c == '\r' || c == '\n'
                    ? "a line break (often a trailing newline)"
                    : "a control or non-Latin-1 character")
                + " at position "
                + (i + 1)
                + " of "
                + value.length()
                + "; store the value again without it");
      }
    }
    return format.replace("{key}", value);
  }
}
