package dev.keyroom.error;

/** The request clashes with the current state (a duplicate name, a revoked credential). */
public class ConflictException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(message);
  }

  public ConflictException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 409;
  }

  @Override
  public String code() {
    return "conflict";
  }
}
