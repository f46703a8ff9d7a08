package dev.keyroom.oauth;

/**
 * A provider endpoint did not give what was asked. The message names the provider, the endpoint and
 * the OAuth error code — never a token, a code, a verifier or the provider's free text.
 */
public final class ProviderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How to treat the failure. */
  public enum Kind {
    /** The grant (code or refresh token) is no longer valid: the user must sign in again. */
    INVALID_GRANT,
    /** The provider refused the request for another reason (client settings, scopes, denial). */
    REJECTED,
    /** Network trouble, timeouts, 5xx or 429: worth retrying later. */
    TRANSIENT
  }

  private final Kind kind;
  private final String error;

  ProviderException(Kind kind, String error, String message) {
    super(message);
    this.kind = kind;
    this.error = error;
  }

  public Kind kind() {
    return kind;
  }

  /** The OAuth error code ({@code invalid_grant}, …) or a short reason such as {@code http_503}. */
  public String error() {
    return error;
  }
}
