package dev.keyroom.oauth;

import dev.keyroom.error.KeyroomException;

/**
 * The integration's grant is gone (the provider answered invalid_grant): its user must connect
 * again.
 */
public final class NeedsReconnectException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public NeedsReconnectException(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 409;
  }

  @Override
  public String code() {
    return "needs_reconnect";
  }
}
