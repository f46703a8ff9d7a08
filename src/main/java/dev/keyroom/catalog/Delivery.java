package dev.keyroom.catalog;

import com.fasterxml.jackson.annotation.JsonValue;

/** How a credential reaches the AI employee. */
public enum Delivery {
  /** Stays in Keyroom; the workroom gets a placeholder and calls through the proxy. */
  PROXIED("proxied"),
  /** Decrypted into a session's environment while the session lives. */
  INJECTED("injected");

  private final String wire;

  Delivery(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  public static Delivery fromWire(String value) {
    for (Delivery d : values()) {
      if (d.wire.equals(value)) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown delivery: " + value);
  }
}
