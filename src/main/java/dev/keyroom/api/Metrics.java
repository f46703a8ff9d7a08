package dev.keyroom.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * Counters and gauges in the Prometheus text format. Labels carry routes, statuses, providers and
 * kinds — never tokens, values or ids chosen by callers.
 */
public final class Metrics {
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();
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
    return out.toString();
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
