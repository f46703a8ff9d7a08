package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keyroom users …}: the tenant's people, by name (admin). */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    description = "List, invite, disable users and set their role (admin).",
    subcommands = {
      UsersCommand.ListUsers.class,
      UsersCommand.Invite.class,
      UsersCommand.Disable.class,
      UsersCommand.SetRole.class
    })
final class UsersCommand implements Runnable {
  @Override
  public void run() {
    throw new Failures.CliException(
        Main.USAGE, "users needs a subcommand: list, invite, disable or set-role");
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tenant's users.")
  static final class ListUsers extends RemoteCommand {
    @Override
    public Integer call() {
      JsonNode res = call("GET", "/api/v1/users", null);
      emit(
          res,
          () -> {
            Table t = new Table("NAME", "ID", "ROLE", "STATUS", "CREATED");
            for (JsonNode u : res.get("users")) {
              t.row(
                  u.get("name").asText(),
                  u.get("id").asText(),
                  u.get("role").asText(),
                  u.get("status").asText(),
                  time(u, "createdAt"));
            }
            t.print();
          });
      return 0;
    }
  }

  @Command(
      name = "invite",
      mixinStandardHelpOptions = true,
      description =
          "Create a user and print a one-time web sign-in password (shown once; they choose their own at the first sign-in).")
  static final class Invite extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "user name")
    String name;

    @Option(
        names = "--role",
        defaultValue = "member",
        paramLabel = "ROLE",
        description = "admin or member (default: member)")
    String role;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("role", role);
      JsonNode user = call("POST", "/api/v1/users", body);
      String id = user.get("id").asText();
      JsonNode pw;
      try {
        pw = call("POST", "/api/v1/users/" + path(id) + "/one-time-password", null);
      } catch (Failures.CliException e) {
        throw new Failures.CliException(
            e.exitCode,
            "user "
                + name
                + " ("
                + id
                + ") was created, but no one-time password was issued: "
                + e.getMessage()
                + "; the operator can set one with keyroom admin set-password --one-time");
      }
      ObjectNode out =
          ((ObjectNode) user.deepCopy()).put("oneTimePassword", pw.get("oneTimePassword").asText());
      emit(
          out,
          () -> {
            System.out.println(
                "invited " + name + " (" + id + ", " + user.get("role").asText() + ").");
            System.out.println(
                "One-time web sign-in password (shown once; they choose their own at the first sign-in):");
            System.out.println(pw.get("oneTimePassword").asText());
          });
      return 0;
    }
  }

  @Command(
      name = "disable",
      mixinStandardHelpOptions = true,
      description = "Disable a user: their API tokens, web sign-ins and live sessions end at once.")
  static final class Disable extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "user name (or id)")
    String name;

    @Override
    public Integer call() {
      String id = new Names(this).user("NAME", name);
      JsonNode u = call("POST", "/api/v1/users/" + path(id) + "/disable", null);
      emit(
          u,
          () ->
              System.out.println(
                  "disabled "
                      + u.get("name").asText()
                      + " ("
                      + id
                      + "); their tokens, sign-ins and sessions have ended."));
      return 0;
    }
  }

  @Command(
      name = "set-role",
      mixinStandardHelpOptions = true,
      description = "Make a user an admin or a member.")
  static final class SetRole extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "user name (or id)")
    String name;

    @Parameters(index = "1", paramLabel = "ROLE", description = "admin or member")
    String role;

    @Override
    public Integer call() {
      String id = new Names(this).user("NAME", name);
      JsonNode u = call("PATCH", "/api/v1/users/" + path(id), Map.of("role", role));
      emit(
          u,
          () ->
              System.out.println(
                  u.get("name").asText() + " (" + id + ") is now " + u.get("role").asText() + "."));
      return 0;
    }
  }
}
