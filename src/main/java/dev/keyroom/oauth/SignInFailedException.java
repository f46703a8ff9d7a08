package dev.keyroom.oauth;

import dev.keyroom.error.KeyroomException;

/**
 * A sign-in could not be completed; nothing was stored. {@link #reason()} is a stable code the UI
 * can show a message for ({@code state_invalid}, {@code access_denied}, {@code code_rejected}, …).
 */
public final class SignInFailedException extends KeyroomException {
  private static final long serialVersionUID = 1L;
  private final String reason;
  private final transient String returnTo;

  SignInFailedException(String reason, String message, String returnTo) {
    super(message);
    this.reason = reason;
    this.returnTo = returnTo;
  }

  public String reason() {
    return reason;
  }

  /** Where the browser should go back to, or null for a JSON answer. */
  public String returnTo() {
    return returnTo;
  }

  @Override
  public int status() {
    return 400;
  }

  @Override
  public String code() {
    return reason;
  }
}
