package dev.keyroom.catalog;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where a credential lives. Every kind has exactly one home. */
public enum Home {
  /** Config → Secrets: a tenant-wide skill secret, managed by admins. */
  TENANT("tenant", "Config → Secrets"),
  /** Profile → Integrations: one user's own connection. */
  USER("user", "Profile → Integrations");

  private final String wire;
  private final String place;

  Home(String wire, String place) {
    this.wire = wire;
    this.place = place;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  /** The product's name for the place, as people see it. */
  public String place() {
    return place;
  }

  public static Home fromWire(String value) {
    for (Home h : values()) {
      if (h.wire.equals(value)) {
        return h;
      }
    }
    throw new IllegalArgumentException("unknown home: " + value);
  }
}
