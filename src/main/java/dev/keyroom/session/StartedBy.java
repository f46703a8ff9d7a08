package dev.keyroom.session;

/**
 * Who started a session: the user themselves, or the platform's service identity on the user's
 * behalf. A user's own integrations reach a platform-started session only with that user's recorded
 * consent for the workroom ({@link IntegrationConsents}).
 */
public enum StartedBy {
  SELF("self"),
  PLATFORM("platform");

  public final String wire;

  StartedBy(String wire) {
    this.wire = wire;
  }

  static StartedBy fromWire(String s) {
    for (StartedBy b : values()) {
      if (b.wire.equals(s)) {
        return b;
      }
    }
    return PLATFORM; // unknown rows get the narrower rights
  }
}
