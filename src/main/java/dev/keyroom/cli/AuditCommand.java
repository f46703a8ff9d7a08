package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyroom audit list|verify} against a running server (admin). */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = "Read and verify the tenant's audit log (admin).",
    subcommands = {AuditCommand.ListEvents.class, AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
  @Override
  public void run() {
    throw new Failures.CliException(Main.USAGE, "audit needs a subcommand: list or verify");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "List audit events, newest first, one page at a time.",
        "When older events match, the command for the next page is printed on stderr."
      })
  static final class ListEvents extends RemoteCommand {
    @Option(
        names = "--action",
        paramLabel = "ACTION",
        description = "only this action (session.start) or a prefix before a dot (session)")
    String action;

    @Option(
        names = "--actor",
        paramLabel = "ACTOR",
        description = "only events by this actor, e.g. user:usr_… or system:cli")
    String actor;

    @Option(names = "--target", paramLabel = "ID", description = "only events about this id")
    String target;

    @Option(names = "--session", paramLabel = "ID", description = "only this session's events")
    String session;

    @Option(names = "--workroom", paramLabel = "ID", description = "only this workroom's events")
    String workroom;

    @Option(
        names = "--before",
        paramLabel = "SEQ",
        description = "only events older than sequence number SEQ (the next page)")
    Long before;

    @Option(
        names = "--after",
        paramLabel = "SEQ",
        description = "only events newer than sequence number SEQ (the previous page)")
    Long after;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "at most N events, 1 to 1000 (default: 50)")
    int limit;

    @Override
    public Integer call() {
      if (before != null && after != null) {
        throw new Failures.CliException(
            Main.USAGE, "--before and --after: give one of them, not both");
      }
      Map<String, Object> filters = new LinkedHashMap<>();
      filters.put("action", action);
      filters.put("actor", actor);
      filters.put("target", target);
      filters.put("session", session);
      filters.put("workroom", workroom);
      StringBuilder query = new StringBuilder("?limit=" + limit);
      filters.forEach((k, v) -> query.append(v == null ? "" : "&" + k + "=" + path(v.toString())));
      query.append(before == null ? "" : "&before=" + before);
      query.append(after == null ? "" : "&after=" + after);
      JsonNode res = call("GET", "/api/v1/audit" + query, null);
      emit(
          res,
          () -> {
            Table t = new Table("SEQ", "AT", "ACTOR", "ACTION", "TARGET", "OUTCOME");
            for (JsonNode e : res.get("events")) {
              t.row(
                  e.get("seq").asText(),
                  time(e, "at"),
                  text(e, "actor"),
                  text(e, "action"),
                  e.get("targetId").isNull()
                      ? "-"
                      : text(e, "targetType") + ":" + text(e, "targetId"),
                  text(e, "outcome"));
            }
            t.print();
          });
      if (res.hasNonNull("next")) {
        StringBuilder next = new StringBuilder("keyroom audit list");
        filters.forEach((k, v) -> next.append(v == null ? "" : " --" + k + " " + quoted(v)));
        next.append(limit == 50 ? "" : " --limit " + limit);
        next.append(" --before ").append(res.get("next").asLong());
        System.err.println("older events: " + next);
      }
      return 0;
    }

    /** A value as a shell word: bare when it is plain, else in single quotes. */
    private static String quoted(Object value) {
      String v = ApiClient.printable(value.toString());
      return v.matches("[A-Za-z0-9_.:@/…-]+") ? v : "'" + v.replace("'", "'\\''") + "'";
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = "Walk the tenant's audit hash chain; exit 3 when it is broken.")
  static final class Verify extends RemoteCommand {
    @Override
    public Integer call() {
      JsonNode v = call("GET", "/api/v1/audit/verify", null);
      boolean intact = v.get("intact").asBoolean();
      emit(
          v,
          () ->
              System.out.println(
                  intact
                      ? "audit log intact (" + v.get("rowsChecked").asText() + " rows)"
                      : "audit log BROKEN at row "
                          + text(v, "badSeq")
                          + ": "
                          + text(v, "problem")));
      return intact ? 0 : Main.AUDIT_BROKEN;
    }
  }
}
