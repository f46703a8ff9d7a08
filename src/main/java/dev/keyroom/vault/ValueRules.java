package dev.keyroom.vault;

import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.InvalidInputException;

/**
 * What a value may contain, by where it goes ({@link CredentialKind.ValueFormat}). Checked when a
 * value is stored (create, replace, renew), so a value that cannot be delivered — a key with a
 * trailing newline that would break the HTTP header it is sent in — is refused at the door with a
 * 400 naming the field and the rule, never the value.
 */
final class ValueRules {
  static final String HEADER_RULE =
      "must not contain control characters (CR, LF, TAB, …); it is sent in an HTTP header"
          + " (a trailing newline is a common accident: remove it)";
  static final String LATIN1_RULE =
      "must contain only printable ASCII or Latin-1 characters; it is sent in an HTTP header";
  static final String LINE_RULE =
      "must not contain control characters (CR, LF, TAB, …); it is handed over as one line"
          + " (a trailing newline is a common accident: remove it)";

  private ValueRules() {}

  static void check(CredentialKind kind, SecretValue value) {
    CredentialKind.ValueFormat format = kind.valueFormat();
    if (format == null || format == CredentialKind.ValueFormat.ANY) {
      return;
    }
    String s = value.revealUtf8();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
        throw new InvalidInputException(
            "value", format == CredentialKind.ValueFormat.HEADER ? HEADER_RULE : LINE_RULE);
      }
      if (format == CredentialKind.ValueFormat.HEADER && c > 0xff) {
        throw new InvalidInputException("value", LATIN1_RULE);
      }
    }
  }
}
