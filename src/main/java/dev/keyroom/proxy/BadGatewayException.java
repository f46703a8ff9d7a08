package dev.keyroom.proxy;

import dev.keyroom.error.KeyroomException;

/** The provider's upstream could not be reached or broke the exchange (502). */
public final class BadGatewayException extends KeyroomException {
  private static final long serialVersionUID = 1L;

  public BadGatewayException(String message) {
    super(message);
  }

  @Override
  public int status() {
    return 502;
  }

  @Override
  public String code() {
    return "upstream_unreachable";
  }
}
