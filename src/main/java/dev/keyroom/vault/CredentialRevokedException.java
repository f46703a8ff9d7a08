package dev.keyroom.vault;

import dev.keyroom.error.ForbiddenException;

/** The credential (or its current version) is revoked; nothing may use it. */
public class CredentialRevokedException extends ForbiddenException {
  private static final long serialVersionUID = 1L;

  public CredentialRevokedException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "credential_revoked";
  }
}
