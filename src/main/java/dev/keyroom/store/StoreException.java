package dev.keyroom.store;

import dev.keyroom.error.KeyroomException;

/** The store could not be opened or migrated. */
public class StoreException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String code() {
    return "store_unavailable";
  }
}
