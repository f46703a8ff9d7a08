package dev.keyroom.store;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Reading nullable columns the same way on SQLite and PostgreSQL. */
public final class Rows {
  private Rows() {}

  /** The column as a Long, or null when SQL NULL. */
  public static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }
}
