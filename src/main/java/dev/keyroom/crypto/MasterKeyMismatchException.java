package dev.keyroom.crypto;

import dev.keyroom.error.KeyroomException;

/** The configured master key is not the one that encrypted this store; Keyroom refuses to run. */
public class MasterKeyMismatchException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public MasterKeyMismatchException(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String code() {
    return "master_key_mismatch";
  }
}
