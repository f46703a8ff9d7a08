package dev.keyroom.usage;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.tenancy.Principal;
import dev.keyroom.tenancy.UserId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code GET /api/v1/usage?from&to&groupBy=provider|workroom|user|credential|skill|model}: totals
 * of proxied calls. Admins and the platform see the whole tenant; a member sees their own calls.
 */
public final class UsageRoutes implements ApiRoutes.Module {
  private static final Duration DEFAULT_WINDOW = Duration.ofDays(30);

  private final UsageStore store;
  private final Clock clock;

  public UsageRoutes(UsageStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  @Override
  public void register(ApiRoutes r) {
    r.get(
        "/api/v1/usage",
        (ctx, p) -> {
          long to = time(ctx.queryParam("to"), "to", clock.millis());
          long from = time(ctx.queryParam("from"), "from", to - DEFAULT_WINDOW.toMillis());
          if (from >= to) {
            throw new InvalidInputException("from", "must be before 'to'");
          }
          UsageStore.GroupBy groupBy = groupBy(ctx.queryParam("groupBy"));
          long interval = interval(ctx.queryParam("interval"), from, to);
          boolean csv = wantsCsv(ctx.queryParam("format"));
          UserId only = onlyUser(p);
          List<UsageStore.Totals> rows =
              store.totals(p.tenant(), from, to, groupBy, only, interval);
          if (csv) {
            ctx.status(200);
            ctx.contentType("text/csv; charset=utf-8");
            ctx.header("Content-Disposition", "attachment; filename=\"usage.csv\"");
            ctx.result(csv(groupBy, rows));
            return;
          }
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("from", Instant.ofEpochMilli(from).toString());
          body.put("to", Instant.ofEpochMilli(to).toString());
          body.put("groupBy", groupBy.wire());
          body.put("interval", interval == HOUR ? "hour" : interval == DAY ? "day" : null);
          body.put("scope", only == null ? "tenant" : "own");
          body.put("rows", rows);
          Json.write(ctx, 200, body);
        });
  }

  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long DAY = Duration.ofDays(1).toMillis();

  /** Most buckets one answer may hold: a year of days, or three months of hours. */
  static final int MAX_BUCKETS = 2200;

  private static long interval(String raw, long from, long to) {
    if (raw == null || raw.isBlank()) {
      return 0;
    }
    long w =
        switch (raw.trim().toLowerCase(Locale.ROOT)) {
          case "hour" -> HOUR;
          case "day" -> DAY;
          default -> throw new InvalidInputException("interval", "must be hour or day");
        };
    if ((to - from) / w > MAX_BUCKETS) {
      throw new InvalidInputException(
          "interval",
          "gives more than " + MAX_BUCKETS + " buckets between 'from' and 'to'; narrow the window");
    }
    return w;
  }

  private static boolean wantsCsv(String raw) {
    if (raw == null || raw.isBlank() || raw.equalsIgnoreCase("json")) {
      return false;
    }
    if (raw.equalsIgnoreCase("csv")) {
      return true;
    }
    throw new InvalidInputException("format", "must be json or csv");
  }

  /** One line per row, the columns of the JSON rows; keys quoted as CSV requires. */
  static String csv(UsageStore.GroupBy groupBy, List<UsageStore.Totals> rows) {
    StringBuilder b =
        new StringBuilder(
            "bucket,"
                + groupBy.wire()
                + ",requests,errors,input_tokens,cached_input_tokens,cache_write_tokens,"
                + "output_tokens,total_tokens,characters,credits,request_bytes,response_bytes,"
                + "cost_usd,unpriced_requests\r\n");
    for (UsageStore.Totals t : rows) {
      b.append(t.bucket() == null ? "" : t.bucket())
          .append(',')
          .append(t.key() == null ? "" : quote(t.key()))
          .append(',')
          .append(t.requests())
          .append(',')
          .append(t.errors())
          .append(',')
          .append(t.inputTokens())
          .append(',')
          .append(t.cachedInputTokens())
          .append(',')
          .append(t.cacheWriteTokens())
          .append(',')
          .append(t.outputTokens())
          .append(',')
          .append(t.totalTokens())
          .append(',')
          .append(t.characters())
          .append(',')
          .append(java.math.BigDecimal.valueOf(t.credits()).stripTrailingZeros().toPlainString())
          .append(',')
          .append(t.requestBytes())
          .append(',')
          .append(t.responseBytes())
          .append(',')
          .append(t.costUsd())
          .append(',')
          .append(t.unpricedRequests())
          .append("\r\n");
    }
    return b.toString();
  }

  /**
   * A field as CSV (RFC 4180), and never read as a formula by a spreadsheet: a field starting with
   * =, +, -, @, a tab or a carriage return gets a leading apostrophe.
   */
  private static String quote(String v) {
    String s = v.isEmpty() || "=+-@\t\r".indexOf(v.charAt(0)) < 0 ? v : "'" + v;
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  private static UserId onlyUser(Principal p) {
    return p.isAdmin() || p.service() ? null : p.user();
  }

  private static UsageStore.GroupBy groupBy(String raw) {
    if (raw == null || raw.isBlank()) {
      return UsageStore.GroupBy.PROVIDER;
    }
    for (UsageStore.GroupBy g : UsageStore.GroupBy.values()) {
      if (g.wire().equals(raw.toLowerCase(Locale.ROOT))) {
        return g;
      }
    }
    throw new InvalidInputException(
        "groupBy",
        "must be one of "
            + Arrays.stream(UsageStore.GroupBy.values())
                .map(UsageStore.GroupBy::wire)
                .collect(Collectors.joining(", ")));
  }

  /**
   * An ISO-8601 instant (2026-11-27T08:00:00Z), a date (2026-11-27, midnight UTC) or epoch millis.
   */
  private static long time(String raw, String field, long fallback) {
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    String v = raw.trim();
    try {
      if (v.chars().allMatch(Character::isDigit) && v.length() <= 15) {
        return Long.parseLong(v);
      }
      if (v.length() == 10) {
        return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      }
      return Instant.parse(v).toEpochMilli();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new InvalidInputException(
          field,
          "must be an ISO-8601 instant such as 2026-11-27T08:00:00Z, a date such as"
              + " 2026-11-27, or epoch milliseconds");
    }
  }
}
