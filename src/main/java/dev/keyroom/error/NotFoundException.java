package dev.keyroom.error;

/**
 * The resource does not exist, or belongs to someone the caller may not see (always the same
 * answer).
 */
public class NotFoundException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }

  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int status() {
    return 404;
  }

  @Override
  public String code() {
    return "not_found";
  }
}
