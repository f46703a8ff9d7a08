package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the names people type into the ids the API takes: tenant secrets (through {@link
 * Credentials}, the one resolver of credential names), workrooms and users. An id of the right
 * shape is taken as it is. Each error names the flag, the rule and the command that lists what
 * exists; never a value.
 */
final class Names {
  private final ServerOptions remote;
  private final Credentials secrets;
  private JsonNode workrooms;
  private JsonNode users;

  Names(ServerOptions remote) {
    this.remote = remote;
    this.secrets = Credentials.secrets(remote);
  }

  /**
   * The id of the tenant secret of {@code kind} that {@code typed} names (NAME, KIND/NAME or an
   * id).
   */
  String secret(String flag, String kind, String typed) {
    return secrets.resolve(flag, typed, kind).id();
  }

  /** The name of a secret id for display, or the id itself when it is not listed. */
  String secretName(String id) {
    return id == null ? "-" : secrets.nameOf(id);
  }

  /** The id of the workroom named {@code name} (workroom ids are taken as they are). */
  String workroom(String flag, String name) {
    if (name.startsWith("wr_")) {
      return name;
    }
    return only(flag, "workroom", name, workrooms(), "keyroom workrooms list");
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
    return only(flag, "user", name, users(), "keyroom users list");
  }

  /** The tenant's users (admins only). */
  JsonNode users() {
    if (users == null) {
      users = remote.call("GET", "/api/v1/users", null).get("users");
    }
    return users;
  }

  private static String only(
      String flag, String what, String name, JsonNode list, String listCommand) {
    List<String> ids = new ArrayList<>();
    for (JsonNode n : list) {
      if (n.get("name").asText().equals(name)) {
        ids.add(n.get("id").asText());
      }
    }
    if (ids.isEmpty()) {
      throw new Failures.CliException(
          Main.FAILED, flag + ": no " + what + " named '" + name + "' (see " + listCommand + ")");
    }
    if (ids.size() > 1) {
      throw new Failures.CliException(
          Main.FAILED,
          flag
              + ": "
              + ids.size()
              + " "
              + what
              + "s are named '"
              + name
              + "'; names must be unique, so give the id instead ("
              + String.join(", ", ids)
              + ")");
    }
    return ids.get(0);
  }
}
