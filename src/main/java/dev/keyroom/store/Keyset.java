package dev.keyroom.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/**
 * Keyset ("cursor") paging over a list ordered by a unique key of one or more columns. A page
 * starts after or before a row's key, never at an OFFSET: rows added meanwhile shift nothing, and
 * no row is seen twice or skipped at a page boundary, even when many rows share a timestamp (the
 * key then ends with a unique column). Comparisons are SQL row values, {@code (a, b) > (:k0, :k1)},
 * which SQLite and PostgreSQL both evaluate in the order {@code ORDER BY a, b} lists rows.
 */
public final class Keyset {
  private final List<String> columns;
  private final boolean descending;

  private Keyset(List<String> columns, boolean descending) {
    this.columns = List.copyOf(columns);
    this.descending = descending;
  }

  /** A list ordered by these columns, smallest first; together they must be unique. */
  public static Keyset ascending(String... columns) {
    return new Keyset(List.of(columns), false);
  }

  /**
   * A list ordered by these columns, largest first (newest first); together they must be unique.
   */
  public static Keyset descending(String... columns) {
    return new Keyset(List.of(columns), true);
  }

  /**
   * Where a page starts: at the start of the list ({@code key} null), or just after or just before
   * the row with {@code key} in list order.
   */
  public record From(List<Object> key, boolean forward) {
    public static From start() {
      return new From(null, true);
    }

    public static From after(Object... key) {
      return new From(List.of(key), true);
    }

    public static From before(Object... key) {
      return new From(List.of(key), false);
    }

    public boolean atStart() {
      return key == null;
    }
  }

  /**
   * Reads one page of at most {@code size} rows: {@code SELECT <columns> <fromWhere>}, where {@code
   * fromWhere} is {@code FROM … WHERE <filters>} ({@code WHERE 1 = 1} when there are none) and
   * {@code binder} binds its parameters. Whether rows lie beyond either end of the page is exact:
   * one more row is read in the page's direction, and one row is looked for on the other side of
   * the starting key.
   */
  public <T> Page<T> page(
      Handle h,
      String columns,
      String fromWhere,
      Consumer<Query> binder,
      From from,
      int size,
      RowMapper<T> mapper) {
    if (size < 1) {
      throw new IllegalArgumentException("a page holds at least one row");
    }
    boolean forward = from.forward();
    StringBuilder sql = new StringBuilder("SELECT ").append(columns).append(' ').append(fromWhere);
    if (!from.atStart()) {
      sql.append(" AND ").append(compare(forward, false));
    }
    sql.append(" ORDER BY ").append(order(forward)).append(" LIMIT :keysetLimit");
    Query q = h.createQuery(sql.toString());
    binder.accept(q);
    bindKey(q, from.key());
    List<T> rows = new ArrayList<>(q.bind("keysetLimit", size + 1).map(mapper).list());
    boolean more = rows.size() > size;
    if (more) {
      rows = new ArrayList<>(rows.subList(0, size));
    }
    if (!forward) {
      Collections.reverse(rows);
    }
    boolean behind = !from.atStart() && exists(h, fromWhere, binder, from);
    return forward ? new Page<>(rows, behind, more) : new Page<>(rows, more, behind);
  }

  /** Whether a row lies on the other side of the starting key (or is the key's row itself). */
  private boolean exists(Handle h, String fromWhere, Consumer<Query> binder, From from) {
    String sql = "SELECT 1 " + fromWhere + " AND " + compare(!from.forward(), true) + " LIMIT 1";
    Query q = h.createQuery(sql);
    binder.accept(q);
    bindKey(q, from.key());
    return q.mapTo(Integer.class).findOne().isPresent();
  }

  /**
   * Rows after ({@code forward}) or before the key in list order; {@code inclusive} also the key's
   * row.
   */
  private String compare(boolean forward, boolean inclusive) {
    boolean greater = forward != descending;
    String op = (greater ? ">" : "<") + (inclusive ? "=" : "");
    String keys =
        IntStream.range(0, columns.size())
            .mapToObj(i -> ":keysetKey" + i)
            .collect(Collectors.joining(", "));
    return "(" + String.join(", ", columns) + ") " + op + " (" + keys + ")";
  }

  private String order(boolean forward) {
    String dir = forward != descending ? " ASC" : " DESC";
    return columns.stream().map(c -> c + dir).collect(Collectors.joining(", "));
  }

  private void bindKey(Query q, List<Object> key) {
    if (key == null) {
      return;
    }
    if (key.size() != columns.size()) {
      throw new IllegalArgumentException(
          "a key of " + columns + " has " + columns.size() + " parts, not " + key.size());
    }
    for (int i = 0; i < key.size(); i++) {
      q.bind("keysetKey" + i, key.get(i));
    }
  }
}
