package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyroom.cli.RemoteCommand.Table;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyroom usage}: totals of proxied calls ({@code GET /api/v1/usage}) grouped by provider,
 * workroom, user, key or skill, with names instead of ids. Admins see the tenant; a member their
 * own calls.
 */
@Command(
    name = "usage",
    mixinStandardHelpOptions = true,
    description = {
      "Show what proxied calls used and cost: requests, errors, tokens, characters, credits and cost in"
          + " US dollars (with the calls that have no price counted apart), grouped by provider,"
          + " workroom, user, key, skill or model (admins: the whole tenant; members: their own calls).",
      "WHEN is a date (2026-11-01, midnight UTC), an instant (2026-11-01T08:00:00Z) or a time ago (30m, 12h, 7d)."
    })
final class UsageCommand extends RemoteCommand {
  private static final Pattern AGO = Pattern.compile("(\\d{1,6})([mhdw])");

  /** The ways usage can be grouped, and what the API calls each. */
  enum GroupBy {
    PROVIDER("provider"),
    WORKROOM("workroom"),
    USER("user"),
    KEY("credential"),
    SKILL("skill"),
    MODEL("model");

    final String wire;

    GroupBy(String wire) {
      this.wire = wire;
    }
  }

  @Option(
      names = "--group-by",
      paramLabel = "WHAT",
      defaultValue = "provider",
      description = "provider, workroom, user, key, skill or model (default: provider)")
  String groupBy;

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      description = "from this time on (default: 30 days before --until)")
  String since;

  @Option(
      names = "--until",
      paramLabel = "WHEN",
      description = "up to this time, exclusive (default: now)")
  String until;

  @Override
  public Integer call() {
    GroupBy g = groupBy(groupBy);
    Instant now = Instant.now();
    StringBuilder query = new StringBuilder("?groupBy=").append(g.wire);
    if (since != null) {
      query.append("&from=").append(path(when("--since", since, now)));
    }
    if (until != null) {
      query.append("&to=").append(path(when("--until", until, now)));
    }
    JsonNode res = call("GET", "/api/v1/usage" + query, null);
    Map<String, String> names = names(g, res);
    for (JsonNode row : res.get("rows")) {
      ((ObjectNode) row).put("name", label(row, names));
    }
    emit(
        res,
        () -> {
          System.out.println(
              "usage from "
                  + text(res, "from")
                  + " to "
                  + text(res, "to")
                  + " by "
                  + g.name().toLowerCase(Locale.ROOT)
                  + ("own".equals(text(res, "scope"))
                      ? " (your own calls)"
                      : " (the whole tenant)"));
          Table t =
              new Table(
                  g.name(),
                  "REQUESTS",
                  "ERRORS",
                  "INPUT TOKENS",
                  "OUTPUT TOKENS",
                  "CHARACTERS",
                  "CREDITS",
                  "COST (USD)",
                  "UNPRICED");
          for (JsonNode r : res.get("rows")) {
            t.row(
                r.get("name").asText(),
                text(r, "requests"),
                text(r, "errors"),
                text(r, "inputTokens"),
                text(r, "outputTokens"),
                text(r, "characters"),
                credits(r.path("credits").asDouble()),
                text(r, "costUsd"),
                text(r, "unpricedRequests"));
          }
          t.print();
          if (res.get("rows").isEmpty()) {
            System.out.println("(no proxied calls in this period)");
          }
        });
    return 0;
  }

  static GroupBy groupBy(String raw) {
    String v = raw.toLowerCase(Locale.ROOT);
    for (GroupBy g : GroupBy.values()) {
      if (g.name().toLowerCase(Locale.ROOT).equals(v) || g.wire.equals(v)) {
        return g;
      }
    }
    throw new Failures.CliException(
        Main.USAGE, "--group-by: must be provider, workroom, user, key, skill or model");
  }

  /**
   * A time ago ("7d") as an instant; dates and instants go to the server as typed (it checks them).
   */
  static String when(String flag, String raw, Instant now) {
    String v = raw.trim();
    Matcher m = AGO.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
          };
      return now.minus(d).toString();
    }
    if (!v.matches("[0-9TZ:.+-]{1,40}")) {
      throw new Failures.CliException(
          Main.USAGE,
          flag
              + ": must be a date (2026-11-01), an instant (2026-11-01T08:00:00Z)"
              + " or a time ago (30m, 12h, 7d, 2w)");
    }
    return v;
  }

  /**
   * Names for the group's keys from the lists the caller may read; an id stays an id where no list
   * answers.
   */
  private Map<String, String> names(GroupBy g, JsonNode res) {
    Map<String, String> names = new HashMap<>();
    if (res.get("rows").isEmpty()) {
      return names;
    }
    try {
      switch (g) {
        case WORKROOM ->
            call("GET", "/api/v1/workrooms", null)
                .get("workrooms")
                .forEach(w -> names.put(w.get("id").asText(), w.get("name").asText()));
        case USER -> {
          if ("own".equals(text(res, "scope"))) {
            JsonNode me = call("GET", "/api/v1/me", null).path("user");
            names.put(me.path("id").asText(), me.path("name").asText());
          } else {
            call("GET", "/api/v1/users", null)
                .get("users")
                .forEach(u -> names.put(u.get("id").asText(), u.get("name").asText()));
          }
        }
        case KEY ->
            Credentials.secrets(this)
                .list()
                .forEach(
                    c ->
                        names.put(
                            c.get("id").asText(),
                            c.get("kind").asText() + "/" + c.get("name").asText()));
        default -> {}
      }
    } catch (ApiClient.Refused e) {
      return names; // e.g. a member may not list tenant secrets: ids are shown
    }
    return names;
  }

  private static String label(JsonNode row, Map<String, String> names) {
    JsonNode key = row.get("key");
    if (key == null || key.isNull()) {
      return "(none)";
    }
    return names.getOrDefault(key.asText(), key.asText());
  }

  private static String credits(double c) {
    if (c == 0) {
      return "0";
    }
    return java.math.BigDecimal.valueOf(c).stripTrailingZeros().toPlainString();
  }
}
