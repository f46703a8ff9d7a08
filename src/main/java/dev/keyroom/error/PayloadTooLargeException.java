package dev.keyroom.error;

/** A body or value is larger than the limit the message states. */
public class PayloadTooLargeException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public PayloadTooLargeException(String message) {
    super(message);
  }

  public PayloadTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 413;
  }

  @Override
  public String code() {
    return "payload_too_large";
  }
}
