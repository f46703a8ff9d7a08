package dev.keyroom.proxy;

import dev.keyroom.error.KeyroomException;

/** The provider's upstream did not connect or answer within the configured timeout (504). */
public final class GatewayTimeoutException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public GatewayTimeoutException(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 504;
  }

  @Override
  public String code() {
    return "upstream_timeout";
  }
}
