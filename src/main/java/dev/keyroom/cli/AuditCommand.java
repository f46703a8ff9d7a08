package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
      description = "List audit events, newest first.")
  static final class ListEvents extends RemoteCommand {
    @Option(
        names = "--action",
        paramLabel = "ACTION",
        description = "only this action, e.g. session.start")
    String action;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "at most N events, 1 to 1000 (default: 50)")
    int limit;

    @Override
    public Integer call() {
      String query = "?limit=" + limit + (action == null ? "" : "&action=" + path(action));
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
      return 0;
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
