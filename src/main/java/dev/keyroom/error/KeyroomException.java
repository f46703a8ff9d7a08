package dev.keyroom.error;

/**
 * Root of every Keyroom failure. Each subclass carries the HTTP status and a stable error code, and
 * a message that names fields, rules and ids — never a secret value.
 */
public abstract class KeyroomException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected KeyroomException(String message) {
    super(message);
  }

  protected KeyroomException(String message, Throwable cause) {
    super(message, cause);
  }

  /** HTTP status this failure maps to. */
  public abstract int status();

  /** Stable machine-readable code, e.g. {@code not_found}. */
  public abstract String code();
}
