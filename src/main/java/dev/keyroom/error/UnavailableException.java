package dev.keyroom.error;

/** A dependency (storage, crypto) is not ready. */
public class UnavailableException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String message) {
    super(message);
  }

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String code() {
    return "unavailable";
  }
}
