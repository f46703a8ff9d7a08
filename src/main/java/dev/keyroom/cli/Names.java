package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the names people type into the ids the API takes: tenant secrets (unique per kind),
 * workrooms and users. An id of the right shape is taken as it is. Each error names the flag, the
 * rule and the command that lists what exists; never a value.
 */
final class Names {
  private final SecretsCommand.Remote remote;
  private JsonNode secrets;
  private JsonNode workrooms;
  private JsonNode users;

  Names(SecretsCommand.Remote remote) {
    this.remote = remote;
  }

  /** The id of the tenant secret of {@code kind} named {@code name}. */
  String secret(String flag, String kind, String name) {
    if (name.startsWith("cred_")) {
      return name;
    }
    if (secrets == null) {
      secrets = remote.call("GET", "/api/v1/secrets", null).get("credentials");
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode c : secrets) {
      if (c.get("name").asText().equals(name) && c.get("kind").asText().equals(kind)) {
        ids.add(c.get("id").asText());
      }
    }
    if (ids.isEmpty()) {
      throw unknown(flag, "no secret of kind '" + kind + "' named '" + name + "'", "keyroom secrets list");
    }
    if (ids.size() > 1) {
      throw new Failures.CliException(Main.FAILED, flag + ": " + ids.size() + " secrets of kind '" + kind + "' are named '"
          + name + "'; names must be unique per kind, so give the id instead (" + String.join(", ", ids) + ")");
    }
    return ids.get(0);
  }

  /** The name of a secret id for display, or the id itself when it is not listed. */
  String secretName(String id) {
    if (id == null) {
      return "-";
    }
    if (secrets == null) {
      try {
        secrets = remote.call("GET", "/api/v1/secrets", null).get("credentials");
      } catch (Failures.CliException e) {
        return id; // a member may not list tenant secrets: show ids
      }
    }
    for (JsonNode c : secrets) {
      if (c.get("id").asText().equals(id)) {
        return c.get("name").asText();
      }
    }
    return id;
  }

  /** The id of the workroom named {@code name} (workroom ids are taken as they are). */
  String workroom(String flag, String name) {
    if (name.startsWith("wr_")) {
      return name;
    }
    if (workrooms == null) {
      workrooms = remote.call("GET", "/api/v1/workrooms", null).get("workrooms");
    }
    return only(flag, "workroom", name, workrooms, "keyroom workrooms list");
  }

  JsonNode workrooms() {
    if (workrooms == null) {
      workrooms = remote.call("GET", "/api/v1/workrooms", null).get("workrooms");
    }
    return workrooms;
  }

  /** The id of the user named {@code name} (user ids are taken as they are). */
  String user(String flag, String name) {
    if (name.startsWith("usr_")) {
      return name;
    }
    if (users == null) {
      users = remote.call("GET", "/api/v1/users", null).get("users");
    }
    return only(flag, "user", name, users, "keyroom users list");
  }

  private static String only(String flag, String what, String name, JsonNode list, String listCommand) {
    List<String> ids = new ArrayList<>();
    for (JsonNode n : list) {
      if (n.get("name").asText().equals(name)) {
        ids.add(n.get("id").asText());
      }
    }
    if (ids.isEmpty()) {
      throw unknown(flag, "no " + what + " named '" + name + "'", listCommand);
    }
    if (ids.size() > 1) {
      throw new Failures.CliException(Main.FAILED, flag + ": " + ids.size() + " " + what + "s are named '" + name
          + "'; names must be unique, so give the id instead (" + String.join(", ", ids) + ")");
    }
    return ids.get(0);
  }

  private static Failures.CliException unknown(String flag, String what, String listCommand) {
    return new Failures.CliException(Main.FAILED, flag + ": " + what + " (see " + listCommand + ")");
  }
}
