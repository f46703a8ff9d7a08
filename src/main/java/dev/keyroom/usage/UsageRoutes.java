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
          UserId only = onlyUser(p);
          List<UsageStore.Totals> rows = store.totals(p.tenant(), from, to, groupBy, only);
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("from", Instant.ofEpochMilli(from).toString());
          body.put("to", Instant.ofEpochMilli(to).toString());
          body.put("groupBy", groupBy.wire());
          body.put("scope", only == null ? "tenant" : "own");
          body.put("rows", rows);
          Json.write(ctx, 200, body);
        });
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
