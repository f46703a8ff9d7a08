package dev.keyroom.web;

import dev.keyroom.vault.CredentialInfo;

/**
 * Runs a kind's cheap "test this key" call (the catalog's test call, through the proxy's
 * machinery).
 */
@FunctionalInterface
public interface KeyTester {
  /** The outcome shown inline next to the key. {@code message} never holds the key. */
  record Result(String credentialId, boolean ok, String message) {}

  Result test(WebUser user, CredentialInfo credential);

  /** False when this build cannot test keys (the button is then not shown). */
  default boolean available() {
    return true;
  }

  /** For builds without a proxy: says so instead of pretending. */
  static KeyTester unavailable() {
    return new KeyTester() {
      @Override
      public Result test(WebUser user, CredentialInfo c) {
        return new Result(
            c.id(),
            false,
            "Testing keys needs the provider proxy, which this build does not include.");
      }

      @Override
      public boolean available() {
        return false;
      }
    };
  }
}
