package dev.keyroom.crypto;

import dev.keyroom.error.KeyroomException;

/**
 * A ciphertext could not be opened: wrong key, tampered bytes, or associated data that does not
 * match (a ciphertext moved to another row). Says only which credential, never why in detail.
 */
public class DecryptionFailedException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public DecryptionFailedException(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 500;
  }

  @Override
  public String code() {
    return "decryption_failed";
  }
}
