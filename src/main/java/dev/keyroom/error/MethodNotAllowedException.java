package dev.keyroom.error;

/** The route exists but does not take this method (405). */
public final class MethodNotAllowedException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public MethodNotAllowedException(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 405;
  }

  @Override
  public String code() {
    return "method_not_allowed";
  }
}
