package dev.keyroom.store;

import java.util.List;

/**
 * One page of a keyset-paged list: its rows in list order, and whether rows come before the first
 * one ({@code hasPrevious}) or after the last one ({@code hasNext}).
 */
public record Page<T>(List<T> rows, boolean hasPrevious, boolean hasNext) {
  public Page {
    rows = List.copyOf(rows);
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** The first row (the page's "previous" link starts before it); null on an empty page. */
  public T first() {
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** The last row (the page's "next" link starts after it); null on an empty page. */
  public T last() {
    return rows.isEmpty() ? null : rows.get(rows.size() - 1);
  }
}
