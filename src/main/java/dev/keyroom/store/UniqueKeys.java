package dev.keyroom.store;

import java.sql.SQLException;

/** Tells a refused duplicate (a unique key) from other failures, on SQLite and PostgreSQL alike. */
public final class UniqueKeys {
  private UniqueKeys() {}

  /**
   * True when {@code e} (or a cause) is a unique-key violation: SQLSTATE 23505 on PostgreSQL,
   * {@code SQLITE_CONSTRAINT_UNIQUE} or {@code SQLITE_CONSTRAINT_PRIMARYKEY} on SQLite.
   */
  public static boolean violated(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        String message = String.valueOf(s.getMessage());
        if ("23505".equals(s.getSQLState())
            || message.contains("SQLITE_CONSTRAINT_UNIQUE")
            || message.contains("SQLITE_CONSTRAINT_PRIMARYKEY")) {
          return true;
        }
      }
    }
    return false;
  }
}
