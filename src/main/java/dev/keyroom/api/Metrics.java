package dev.keyroom.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * Counters, gauges and summaries in the Prometheus text format. Labels carry routes, statuses,
 * providers and kinds — never tokens, values or ids chosen by callers.
 */
public final class Metrics {
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();
  private final Map<String, Summary> summaries = new ConcurrentHashMap<>();
  private final Map<String, String> help = new ConcurrentHashMap<>();

  /** Adds one to {@code name} with the given label pairs ("k", "v", …). */
  public void increment(String name, String... labels) {
    add(name, 1, labels);
  }

  public void add(String name, long amount, String... labels) {
    counters.computeIfAbsent(series(name, labels), k -> new LongAdder()).add(amount);
  }

  public void gauge(String name, String description, DoubleSupplier value) {
    help.put(name, description);
    gauges.put(name, value);
  }

  /**
   * A summary without quantiles: {@code name_count} observations adding up to {@code name_sum}, so
   * that {@code rate(name_sum) / rate(name_count)} is the mean over any window.
   */
  public void summary(String name, String description) {
    help.put(name, description);
    summaries.putIfAbsent(name, new Summary());
  }

  /** Adds one observation to the summary {@code name} (declared with {@link #summary}). */
  public void observe(String name, double value) {
    Summary s = summaries.get(name);
    if (s == null) {
      throw new IllegalStateException("summary " + name + " was never declared");
    }
    s.count.increment();
    s.sum.add(value);
  }

  /** Observations so far of the summary {@code name} (0 when it has none). */
  public long count(String name) {
    Summary s = summaries.get(name);
    return s == null ? 0 : s.count.sum();
  }

  /** The sum of the observations so far of the summary {@code name}. */
  public double sum(String name) {
    Summary s = summaries.get(name);
    return s == null ? 0 : s.sum.sum();
  }

  public void describe(String name, String description) {
    help.put(name, description);
  }

  public long value(String name, String... labels) {
    LongAdder a = counters.get(series(name, labels));
    return a == null ? 0 : a.sum();
  }

  public String scrape() {
    StringBuilder out = new StringBuilder();
    Map<String, TreeMap<String, Long>> byName = new TreeMap<>();
    counters.forEach(
        (series, adder) -> {
          int brace = series.indexOf('{');
          String name = brace < 0 ? series : series.substring(0, brace);
          byName.computeIfAbsent(name, k -> new TreeMap<>()).put(series, adder.sum());
        });
    byName.forEach(
        (name, series) -> {
          out.append("# HELP ")
              .append(name)
              .append(' ')
              .append(help.getOrDefault(name, name))
              .append('\n');
          out.append("# TYPE ").append(name).append(" counter\n");
          series.forEach((s, v) -> out.append(s).append(' ').append(v).append('\n'));
        });
    new TreeMap<>(gauges)
        .forEach(
            (name, supplier) -> {
              out.append("# HELP ")
                  .append(name)
                  .append(' ')
                  .append(help.getOrDefault(name, name))
                  .append('\n');
              out.append("# TYPE ").append(name).append(" gauge\n");
              out.append(name).append(' ').append(supplier.getAsDouble()).append('\n');
            });
    new TreeMap<>(summaries)
        .forEach(
            (name, summary) -> {
              // Not one atomic snapshot: a scrape during an observation may see it in one of
              // the two; the next scrape sees both.
              long count = summary.count.sum();
              double sum = summary.sum.sum();
              out.append("# HELP ")
                  .append(name)
                  .append(' ')
                  .append(help.getOrDefault(name, name))
                  .append('\n');
              out.append("# TYPE ").append(name).append(" summary\n");
              out.append(name).append("_sum ").append(sum).append('\n');
              out.append(name).append("_count ").append(count).append('\n');
            });
    return out.toString();
  }

  private static final class Summary {
    final LongAdder count = new LongAdder();
    final DoubleAdder sum = new DoubleAdder();
  }

  private static String series(String name, String... labels) {
    if (labels.length == 0) {
      return name;
    }
    StringBuilder sb = new StringBuilder(name).append('{');
    for (int i = 0; i + 1 < labels.length; i += 2) {
      if (i > 0) sb.append(',');
      sb.append(labels[i])
          .append("=\"")
          .append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\""))
          .append('"');
    }
    return sb.append('}').toString();
  }
}
