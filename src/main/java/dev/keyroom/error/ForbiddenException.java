package dev.keyroom.error;

/** The caller is known but may not do this. */
public class ForbiddenException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public ForbiddenException(String message) {
    super(message);
  }

  public ForbiddenException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 403;
  }

  @Override
  public String code() {
    return "forbidden";
  }
}
