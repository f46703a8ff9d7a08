package dev.keyroom.error;

/** No credentials, or credentials Keyroom does not accept. */
public class UnauthenticatedException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public UnauthenticatedException(String message) {
    super(message);
  }

  public UnauthenticatedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 401;
  }

  @Override
  public String code() {
    return "unauthenticated";
  }
}
