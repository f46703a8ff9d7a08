package dev.keyroom.crypto;

import dev.keyroom.error.KeyroomException;

/** Key material is missing, unreadable or unusable at start-up or rotation. */
public class CryptoSetupException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public CryptoSetupException(String message) {
    super(message);
  }

  public CryptoSetupException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String code() {
    return "crypto_unavailable";
  }
}
