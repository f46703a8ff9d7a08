package dev.keyroom.cli;

import static dev.keyroom.cli.RemoteCommand.text;
import static dev.keyroom.cli.RemoteCommand.time;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.cli.RemoteCommand.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keyroom workrooms …}: workrooms by name, their tools by secret names, their members. */
@Command(
    name = "workrooms",
    mixinStandardHelpOptions = true,
    description =
        "Manage workrooms on a running server; secrets, users and workrooms are given by name.",
    subcommands = {
      WorkroomsCommand.ListWorkrooms.class,
      WorkroomsCommand.Show.class,
      WorkroomsCommand.Create.class,
      WorkroomsCommand.Edit.class,
      WorkroomsCommand.Delete.class,
      WorkroomsCommand.Members.class
    })
final class WorkroomsCommand implements Runnable {
  @Override
  public void run() {
    throw new Failures.CliException(
        Main.USAGE, "workrooms needs a subcommand: list, show, create, edit, delete or members");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the workrooms you may see.")
  static final class ListWorkrooms extends RemoteCommand {
    @Override
    public Integer call() {
      JsonNode res = call("GET", "/api/v1/workrooms", null);
      emit(
          res,
          () -> {
            Table t = new Table("NAME", "ID", "TOOLS", "MEMBERS");
            for (JsonNode w : res.get("workrooms")) {
              List<String> kinds = new ArrayList<>();
              w.get("tools").forEach(x -> kinds.add(x.get("kind").asText()));
              t.row(
                  w.get("name").asText(),
                  w.get("id").asText(),
                  kinds.isEmpty() ? "-" : String.join(",", kinds),
                  w.has("members") ? Integer.toString(w.get("members").size()) : "-");
            }
            t.print();
          });
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a workroom: tools, network, members.")
  static final class Show extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "workroom name (or id)")
    String name;

    @Override
    public Integer call() {
      Names names = new Names(this);
      JsonNode w = call("GET", "/api/v1/workrooms/" + path(names.workroom("NAME", name)), null);
      emit(w, () -> print(w, names));
      return 0;
    }
  }

  static void print(JsonNode w, Names names) {
    System.out.println("workroom " + w.get("name").asText() + " (" + w.get("id").asText() + ")");
    Table tools = new Table("  KIND", "SECRET");
    for (JsonNode t : w.get("tools")) {
      JsonNode id = t.get("secretId");
      tools.row(
          "  " + t.get("kind").asText(),
          id == null || id.isNull()
              ? "(each member's own integration)"
              : names.secretName(id.asText()));
    }
    System.out.println("tools:");
    tools.print();
    JsonNode net = w.get("network");
    System.out.println(
        "tailscale: "
            + (net.get("tailscaleSecretId").isNull()
                ? "-"
                : names.secretName(net.get("tailscaleSecretId").asText())));
    for (JsonNode e : net.get("endpoints")) {
      System.out.println(
          "endpoint: "
              + text(e, "name")
              + " "
              + text(e, "protocol")
              + "://"
              + text(e, "host")
              + ":"
              + text(e, "port")
              + (e.get("passwordSecretId").isNull()
                  ? ""
                  : " (password: " + names.secretName(e.get("passwordSecretId").asText()) + ")"));
    }
    if (w.has("members")) {
      List<String> members = new ArrayList<>();
      w.get("members").forEach(m -> members.add(m.get("name").asText()));
      System.out.println(
          "members: "
              + (members.isEmpty()
                  ? "(none: nobody can start a session)"
                  : String.join(", ", members)));
    }
  }

  /**
   * The flags (and file) that describe a workroom by names; turned into the API's body with ids.
   */
  static final class Spec {
    @Option(
        names = "--file",
        paramLabel = "FILE",
        description =
            "a JSON file using names: {\"name\", \"tools\":[{\"kind\",\"secret\"}], \"env\":[NAME], "
                + "\"network\":{\"tailscale\", \"endpoints\":[{\"name\",\"host\",\"port\",\"protocol\",\"passwordSecret\",\"user\",\"database\"}]}, \"members\":[USER]}")
    Path file;

    @Option(
        names = "--tool",
        paramLabel = "KIND[=SECRET]",
        description =
            "a tool and the tenant secret of that kind that serves it (user-home kinds such as git-token take none); repeatable")
    List<String> tools = new ArrayList<>();

    @Option(
        names = "--env",
        paramLabel = "SECRET",
        description = "a custom environment secret (kind env), by name; repeatable")
    List<String> env = new ArrayList<>();

    @Option(
        names = "--tailscale",
        paramLabel = "SECRET",
        description = "the Tailscale auth key secret, by name")
    String tailscale;

    @Option(
        names = "--member",
        paramLabel = "USER",
        description = "a user who may start sessions here, by name; repeatable")
    List<String> members = new ArrayList<>();

    /** The API body; only the parts given (for edit). {@code name} overrides the file's. */
    Map<String, Object> body(Names names, String name, JsonNode current) {
      JsonNode f = readFile();
      Map<String, Object> body = new LinkedHashMap<>();
      String n =
          name != null ? name : f != null && f.hasNonNull("name") ? f.get("name").asText() : null;
      if (n != null) {
        body.put("name", n);
      }
      List<Map<String, Object>> toolList = new ArrayList<>();
      boolean toolsGiven = !tools.isEmpty() || !env.isEmpty();
      if (f != null && f.has("tools")) {
        toolsGiven = true;
        int i = 0;
        for (JsonNode t : f.get("tools")) {
          String field = "--file tools[" + i++ + "]";
          if (!t.hasNonNull("kind")) {
            throw new Failures.CliException(Main.FAILED, field + ".kind: is required");
          }
          String secret = t.hasNonNull("secret") ? t.get("secret").asText() : null;
          toolList.add(tool(names, field + ".secret", t.get("kind").asText(), secret));
        }
      }
      if (f != null && f.has("env")) {
        toolsGiven = true;
        int i = 0;
        for (JsonNode e : f.get("env")) {
          toolList.add(tool(names, "--file env[" + i++ + "]", "env", e.asText()));
        }
      }
      for (String t : tools) {
        int eq = t.indexOf('=');
        toolList.add(
            eq < 0
                ? tool(names, "--tool " + t, t, null)
                : tool(names, "--tool " + t, t.substring(0, eq), t.substring(eq + 1)));
      }
      for (String e : env) {
        toolList.add(tool(names, "--env " + e, "env", e));
      }
      if (toolsGiven) {
        body.put("tools", toolList);
      }
      JsonNode fileNet = f == null ? null : f.get("network");
      if (fileNet != null || tailscale != null) {
        Map<String, Object> net = new LinkedHashMap<>();
        String ts =
            tailscale != null
                ? tailscale
                : fileNet.hasNonNull("tailscale") ? fileNet.get("tailscale").asText() : null;
        net.put(
            "tailscaleSecretId",
            ts == null
                ? null
                : names.secret(
                    tailscale != null ? "--tailscale" : "--file network.tailscale",
                    "tailscale-auth-key",
                    ts));
        if (fileNet != null && fileNet.has("endpoints")) {
          net.put("endpoints", endpoints(names, fileNet.get("endpoints")));
        } else if (current != null) {
          net.put(
              "endpoints",
              current.get("network").get("endpoints")); // --tailscale alone keeps the endpoints
        } else {
          net.put("endpoints", List.of());
        }
        body.put("network", net);
      }
      List<String> memberNames = new ArrayList<>();
      if (f != null && f.has("members")) {
        f.get("members").forEach(m -> memberNames.add(m.asText()));
      }
      memberNames.addAll(members);
      if (!memberNames.isEmpty() || (f != null && f.has("members"))) {
        List<Map<String, String>> list = new ArrayList<>();
        for (String m : memberNames) {
          list.add(Map.of("userId", names.user("--member " + m, m)));
        }
        body.put("members", list);
      }
      return body;
    }

    private static Map<String, Object> tool(Names names, String field, String kind, String secret) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("kind", kind);
      t.put(
          "secretId",
          secret == null || secret.isEmpty() ? null : names.secret(field, kind, secret));
      return t;
    }

    private static List<Map<String, Object>> endpoints(Names names, JsonNode list) {
      List<Map<String, Object>> out = new ArrayList<>();
      int i = 0;
      for (JsonNode e : list) {
        String field = "--file network.endpoints[" + i++ + "]";
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of("name", "host", "protocol", "user", "database")) {
          m.put(k, e.hasNonNull(k) ? e.get(k).asText() : null);
        }
        m.put("port", e.hasNonNull("port") ? e.get("port").asInt() : null);
        m.put(
            "passwordSecretId",
            e.hasNonNull("passwordSecret")
                ? names.secret(
                    field + ".passwordSecret",
                    "database-password",
                    e.get("passwordSecret").asText())
                : null);
        out.add(m);
      }
      return out;
    }

    private JsonNode readFile() {
      if (file == null) {
        return null;
      }
      try {
        JsonNode f = Json.MAPPER.readTree(Files.readAllBytes(file));
        if (f == null || !f.isObject()) {
          throw new Failures.CliException(Main.USAGE, "--file: must hold one JSON object");
        }
        return f;
      } catch (IOException e) {
        throw new Failures.CliException(
            Main.USAGE, "--file: cannot be read as JSON (" + e.getClass().getSimpleName() + ")");
      }
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a workroom from flags or a file that name secrets and users (admin).")
  static final class Create extends RemoteCommand {
    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "NAME",
        description = "workroom name (or \"name\" in --file)")
    String name;

    @Mixin Spec spec;

    @Override
    public Integer call() {
      Map<String, Object> body = spec.body(new Names(this), name, null);
      if (!body.containsKey("name")) {
        throw new Failures.CliException(
            Main.USAGE, "NAME: is required (as an argument or \"name\" in --file)");
      }
      body.putIfAbsent("tools", List.of());
      JsonNode w = call("POST", "/api/v1/workrooms", body);
      emit(
          w,
          () ->
              System.out.println(
                  "created workroom "
                      + w.get("name").asText()
                      + " ("
                      + w.get("id").asText()
                      + ")"
                      + (w.get("members").isEmpty()
                          ? "; it has no members yet: add them with keyroom workrooms members NAME --add USER"
                          : "")));
      return 0;
    }
  }

  @Command(
      name = "edit",
      mixinStandardHelpOptions = true,
      description =
          "Change a workroom (admin). Each part given replaces that part: all --tool/--env together replace the tools,"
              + " --member the members; --tailscale alone keeps the endpoints. Live sessions that lose access are ended.")
  static final class Edit extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "workroom name (or id)")
    String name;

    @Option(names = "--rename", paramLabel = "NEW", description = "a new name")
    String rename;

    @Mixin Spec spec;

    @Override
    public Integer call() {
      Names names = new Names(this);
      String id = names.workroom("NAME", name);
      JsonNode current =
          spec.tailscale != null ? call("GET", "/api/v1/workrooms/" + path(id), null) : null;
      Map<String, Object> body = spec.body(names, rename, current);
      if (body.isEmpty()) {
        throw new Failures.CliException(
            Main.USAGE,
            "edit needs something to change: --rename, --tool, --env, --tailscale, --member or --file");
      }
      JsonNode w = call("PATCH", "/api/v1/workrooms/" + path(id), body);
      emit(
          w,
          () -> {
            System.out.println(
                "changed workroom " + w.get("name").asText() + " (" + w.get("id").asText() + ")");
            printAffected(w.get("affectedSessions"));
          });
      return 0;
    }
  }

  static void printAffected(JsonNode affected) {
    if (affected != null && affected.get("count").asInt() > 0) {
      List<String> ids = new ArrayList<>();
      affected.get("sessions").forEach(x -> ids.add(x.asText()));
      System.out.println(
          "ended " + affected.get("count").asInt() + " live session(s): " + String.join(", ", ids));
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete a workroom; its live sessions end (admin).")
  static final class Delete extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "workroom name (or id)")
    String name;

    @Override
    public Integer call() {
      String id = new Names(this).workroom("NAME", name);
      JsonNode res = call("DELETE", "/api/v1/workrooms/" + path(id), null);
      emit(
          res,
          () -> {
            System.out.println("deleted workroom " + name + " (" + id + ")");
            printAffected(res.get("affectedSessions"));
          });
      return 0;
    }
  }

  @Command(
      name = "members",
      mixinStandardHelpOptions = true,
      description =
          "List a workroom's members, or add and remove them by user name (admin). Removing one ends their live sessions there.")
  static final class Members extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "workroom name (or id)")
    String name;

    @Option(names = "--add", paramLabel = "USER", description = "add this user; repeatable")
    List<String> add = new ArrayList<>();

    @Option(names = "--remove", paramLabel = "USER", description = "remove this user; repeatable")
    List<String> remove = new ArrayList<>();

    @Override
    public Integer call() {
      Names names = new Names(this);
      String id = names.workroom("NAME", name);
      List<String> done = new ArrayList<>();
      for (String u : add) {
        call(
            "POST",
            "/api/v1/workrooms/" + path(id) + "/members",
            Map.of("userId", names.user("--add " + u, u)));
        done.add("added " + u);
      }
      for (String u : remove) {
        JsonNode r =
            call(
                "DELETE",
                "/api/v1/workrooms/"
                    + path(id)
                    + "/members/"
                    + path(names.user("--remove " + u, u)),
                null);
        int ended = r.get("affectedSessions").get("count").asInt();
        done.add("removed " + u + (ended > 0 ? " (ended " + ended + " live session(s))" : ""));
      }
      JsonNode res = call("GET", "/api/v1/workrooms/" + path(id) + "/members", null);
      emit(
          res,
          () -> {
            done.forEach(System.out::println);
            Table t = new Table("USER", "ID", "ADDED BY", "ADDED AT");
            for (JsonNode m : res.get("members")) {
              t.row(
                  m.get("name").asText(),
                  m.get("userId").asText(),
                  text(m, "addedBy"),
                  time(m, "addedAt"));
            }
            t.print();
          });
      return 0;
    }
  }
}
