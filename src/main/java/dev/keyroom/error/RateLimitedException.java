package dev.keyroom.error;

/** Too many attempts; the message says when to retry. */
public class RateLimitedException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public RateLimitedException(String message) {
    super(message);
  }

  public RateLimitedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 429;
  }

  @Override
  public String code() {
    return "rate_limited";
  }
}
