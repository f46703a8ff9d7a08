package dev.keyroom.cli;

import static dev.keyroom.cli.RemoteCommand.text;
import static dev.keyroom.cli.RemoteCommand.time;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyroom.api.Json;
import dev.keyroom.cli.RemoteCommand.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyroom sessions list|show|end}: live sessions, as admin (all) or as yourself (your own).
 */
@Command(
    name = "sessions",
    mixinStandardHelpOptions = true,
    description = "List, show and end sessions on a running server.",
    subcommands = {
      SessionsCommand.ListSessions.class,
      SessionsCommand.Show.class,
      SessionsCommand.End.class
    })
final class SessionsCommand implements Runnable {
  @Override
  public void run() {
    throw new Failures.CliException(Main.USAGE, "sessions needs a subcommand: list, show or end");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List live sessions (admins see everyone's, others their own), of one workroom or of all you may see.")
  static final class ListSessions extends RemoteCommand {
    @Option(
        names = "--workroom",
        paramLabel = "NAME",
        description = "only this workroom (name or id)")
    String workroom;

    @Override
    public Integer call() {
      Names names = new Names(this);
      ArrayNode all = Json.MAPPER.createArrayNode();
      Table t = new Table("ID", "WORKROOM", "USER", "STARTED BY", "STARTED", "EXPIRES");
      if (workroom != null) {
        collect(names.workroom("--workroom", workroom), workroom, all, t);
      } else {
        for (JsonNode w : names.workrooms()) {
          collect(w.get("id").asText(), w.get("name").asText(), all, t);
        }
      }
      ObjectNode res = Json.MAPPER.createObjectNode();
      res.set("sessions", all);
      emit(res, t::print);
      return 0;
    }

    private void collect(String workroomId, String workroomName, ArrayNode all, Table t) {
      for (JsonNode s :
          call("GET", "/api/v1/workrooms/" + path(workroomId) + "/sessions", null)
              .get("sessions")) {
        all.add(s);
        t.row(
            s.get("id").asText(),
            workroomName,
            s.get("userId").asText(),
            text(s, "startedBy"),
            time(s, "startedAt"),
            time(s, "expiresAt"));
      }
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a session, live or ended, and how it ended.")
  static final class Show extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "session id (ses_…)")
    String id;

    @Override
    public Integer call() {
      JsonNode s = call("GET", "/api/v1/sessions/" + path(id), null);
      emit(s, () -> print(s));
      return 0;
    }
  }

  static void print(JsonNode s) {
    Table t = new Table("FIELD", "VALUE");
    t.row("id", text(s, "id"))
        .row("workroom", text(s, "workroomId"))
        .row("user", text(s, "userId"))
        .row("started by", text(s, "startedBy"))
        .row("started", time(s, "startedAt"))
        .row("expires", time(s, "expiresAt"))
        .row("last seen", time(s, "lastSeenAt"))
        .row("ended", time(s, "endedAt"))
        .row("end reason", text(s, "endReason"));
    t.print();
  }

  @Command(
      name = "end",
      mixinStandardHelpOptions = true,
      description =
          "End a session now: its environment, git credential, proxy placeholders and event streams stop working.")
  static final class End extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "session id (ses_…)")
    String id;

    @Override
    public Integer call() {
      call("DELETE", "/api/v1/sessions/" + path(id), null);
      JsonNode s = call("GET", "/api/v1/sessions/" + path(id), null);
      emit(
          s,
          () ->
              System.out.println(
                  "session "
                      + id
                      + " ended at "
                      + time(s, "endedAt")
                      + ": "
                      + text(s, "endReason")));
      return 0;
    }
  }
}
