package dev.keyroom.web;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.usage.UsageStore;
import dev.keyroom.vault.Skills;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Usage: what proxied calls consumed on the tenant's own provider accounts, over a chosen period,
 * grouped by provider, workroom, person, key or skill — a server-rendered SVG bar chart and a
 * table.
 */
public final class UsagePages {
  /** A period the page offers. */
  public record Period(String id, String label, Duration length) {}

  /** A grouping the page offers. */
  public record Grouping(String id, String label, UsageStore.GroupBy by) {}

  /**
   * One row of the table, with its bar in the chart; {@code detailKey} selects its requests ("-" =
   * none).
   */
  public record Line(
      String label, UsageStore.Totals totals, int barWidth, int y, String detailKey) {}

  /** One request of the per-request detail, with names resolved for people. */
  public record RequestLine(
      String at,
      String provider,
      String workroom,
      String person,
      String skill,
      String key,
      String call,
      int status,
      String outcome,
      long latencyMs,
      String units) {}

  /** How many requests the detail shows at most. */
  static final int DETAIL_LIMIT = 100;

  static final List<Period> PERIODS =
      List.of(
          new Period("24h", "Last 24 hours", Duration.ofHours(24)),
          new Period("7d", "Last 7 days", Duration.ofDays(7)),
          new Period("30d", "Last 30 days", Duration.ofDays(30)));
  static final List<Grouping> GROUPINGS =
      List.of(
          new Grouping("provider", "Provider", UsageStore.GroupBy.PROVIDER),
          new Grouping("workroom", "Workroom", UsageStore.GroupBy.WORKROOM),
          new Grouping("user", "Person", UsageStore.GroupBy.USER),
          new Grouping("credential", "Key", UsageStore.GroupBy.CREDENTIAL),
          new Grouping("skill", "Skill", UsageStore.GroupBy.SKILL),
          new Grouping("model", "Model", UsageStore.GroupBy.MODEL));
  static final int CHART_WIDTH = 720;
  static final int LABEL_WIDTH = 170;
  static final int ROW = 30;

  private final WebRouter router;
  private final UsageStore store;
  private final Catalog catalog;
  private final Workrooms workrooms;
  private final Tenancy tenancy;
  private final Vault vault;
  private final Skills skills;
  private final Clock clock;

  UsagePages(
      WebRouter router,
      UsageStore store,
      Catalog catalog,
      Workrooms workrooms,
      Tenancy tenancy,
      Vault vault,
      Skills skills,
      Clock clock) {
    this.router = router;
    this.store = store;
    this.catalog = catalog;
    this.workrooms = workrooms;
    this.tenancy = tenancy;
    this.vault = vault;
    this.skills = skills;
    this.clock = clock;
  }

  void register() {
    router.page("/usage", WebRouter.Access.ADMIN, this::show);
  }

  private void show(Context ctx, WebUser user) {
    Period period =
        PERIODS.stream()
            .filter(p -> p.id().equals(ctx.queryParam("period")))
            .findFirst()
            .orElse(PERIODS.get(1));
    Grouping grouping =
        GROUPINGS.stream()
            .filter(g -> g.id().equals(ctx.queryParam("by")))
            .findFirst()
            .orElse(GROUPINGS.get(0));
    long now = clock.millis();
    List<UsageStore.Totals> totals =
        store.totals(user.tenant(), now - period.length().toMillis(), now + 1, grouping.by(), null);
    DisplayNames names = DisplayNames.of(user.tenant(), catalog, workrooms, tenancy, vault, skills);
    long max = totals.stream().mapToLong(UsageStore.Totals::requests).max().orElse(1);
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < totals.size(); i++) {
      UsageStore.Totals t = totals.get(i);
      int width =
          (int)
              Math.max(
                  2,
                  Math.round(
                      (CHART_WIDTH - LABEL_WIDTH - 60) * (double) t.requests() / Math.max(1, max)));
      lines.add(
          new Line(
              label(grouping, t.key(), names), t, width, i * ROW, t.key() == null ? "-" : t.key()));
    }
    String detail = ctx.queryParam("detail");
    List<RequestLine> requests = List.of();
    String detailLabel = null;
    if (detail != null && !detail.isEmpty()) {
      String key = "-".equals(detail) ? null : detail;
      detailLabel = label(grouping, key, names);
      requests =
          store
              .requests(
                  user.tenant(),
                  now - period.length().toMillis(),
                  now + 1,
                  grouping.by(),
                  key,
                  DETAIL_LIMIT)
              .stream()
              .map(r -> requestLine(r, names))
              .toList();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("periods", PERIODS);
    m.put("groupings", GROUPINGS);
    m.put("period", period);
    m.put("grouping", grouping);
    m.put("lines", lines);
    m.put("chartWidth", CHART_WIDTH);
    m.put("labelWidth", LABEL_WIDTH);
    m.put("chartHeight", Math.max(ROW, lines.size() * ROW));
    m.put("detail", detail == null || detail.isEmpty() ? null : detail);
    m.put("detailLabel", detailLabel);
    m.put("detailRequests", requests);
    m.put("detailLimit", DETAIL_LIMIT);
    m.put("requests", totals.stream().mapToLong(UsageStore.Totals::requests).sum());
    m.put("cost", Display.usd(totals.stream().mapToLong(UsageStore.Totals::costNanoUsd).sum()));
    m.put("unpriced", totals.stream().mapToLong(UsageStore.Totals::unpricedRequests).sum());
    m.put(
        "tokens",
        totals.stream()
            .mapToLong(
                t -> t.totalTokens() > 0 ? t.totalTokens() : t.inputTokens() + t.outputTokens())
            .sum());
    router.render(ctx, user, 200, "usage.jte", "Usage", "usage", m);
  }

  private static RequestLine requestLine(UsageStore.Request r, DisplayNames names) {
    StringBuilder units = new StringBuilder();
    if (r.inputTokens() != null || r.outputTokens() != null) {
      units
          .append(r.inputTokens() == null ? 0 : r.inputTokens())
          .append(" in / ")
          .append(r.outputTokens() == null ? 0 : r.outputTokens())
          .append(" out tokens");
    }
    if (r.characters() != null) {
      units.append(units.isEmpty() ? "" : " · ").append(r.characters()).append(" characters");
    }
    if (r.credits() != null) {
      units
          .append(units.isEmpty() ? "" : " · ")
          .append(String.format(Locale.ROOT, "%.2f", r.credits()))
          .append(" credits");
    }
    if (r.model() != null) {
      units.append(units.isEmpty() ? "" : " · ").append(r.model());
    }
    units.append(units.isEmpty() ? "" : " · ").append(Display.usd(r.costNanoUsd()));
    return new RequestLine(
        Display.time(r.at()),
        names.provider(r.provider()),
        r.workroomId() == null ? "—" : names.workroom(r.workroomId()),
        r.userId() == null ? "—" : names.person(r.userId()),
        r.skill() == null ? "—" : names.skill(r.skill()),
        r.credentialId() == null
            ? "—"
            : names.key(r.credentialId())
                + (r.credentialVersion() == null ? "" : " v" + r.credentialVersion()),
        r.method() + " " + r.path(),
        r.status(),
        r.outcome(),
        r.latencyMs(),
        units.isEmpty() ? "—" : units.toString());
  }

  /**
   * The name a group's row shows: the human name of its workroom, person, key or skill, never a
   * bare id.
   */
  static String label(Grouping g, String key, DisplayNames names) {
    if (key == null) {
      return switch (g.by()) {
        case SKILL -> "(no skill named)";
        case MODEL -> "(no model named)";
        default -> "(none)";
      };
    }
    return switch (g.by()) {
      case PROVIDER -> names.provider(key);
      case WORKROOM -> names.workroom(key);
      case USER -> names.person(key);
      case CREDENTIAL -> names.key(key);
      case SKILL -> names.skill(key);
      case MODEL -> key;
    };
  }
}
