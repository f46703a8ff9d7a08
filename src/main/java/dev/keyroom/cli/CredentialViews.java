package dev.keyroom.cli;

import static dev.keyroom.cli.RemoteCommand.text;
import static dev.keyroom.cli.RemoteCommand.time;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.cli.RemoteCommand.Table;
import java.util.ArrayList;
import java.util.List;

/** How secrets and integrations look on a terminal: metadata only, never a value. */
final class CredentialViews {
  private CredentialViews() {}

  /** One row per credential, kind and name first. */
  static void list(JsonNode credentials) {
    boolean hosts = false;
    for (JsonNode c : credentials) {
      hosts |= c.hasNonNull("hosts");
    }
    List<String> header =
        new ArrayList<>(List.of("KIND", "NAME", "ID", "VER", "STATUS", "HINT", "FINGERPRINT"));
    if (hosts) {
      header.add("HOSTS");
    }
    header.add("LAST USED");
    Table t = new Table(header.toArray(String[]::new));
    for (JsonNode c : credentials) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  text(c, "kind"),
                  text(c, "name"),
                  text(c, "id"),
                  text(c, "version"),
                  text(c, "status"),
                  text(c, "hint"),
                  text(c, "fingerprint")));
      if (hosts) {
        row.add(hosts(c));
      }
      row.add(time(c.get("lastUsed"), "at"));
      t.row(row.toArray(String[]::new));
    }
    t.print();
  }

  /** One credential with every version. */
  static void show(JsonNode c) {
    System.out.println(text(c, "kind") + "/" + text(c, "name") + " (" + text(c, "id") + ")");
    System.out.println("status:      " + text(c, "status") + ", version " + text(c, "version"));
    System.out.println("hint:        " + text(c, "hint"));
    System.out.println("fingerprint: " + text(c, "fingerprint"));
    if (c.hasNonNull("hosts")) {
      System.out.println("hosts:       " + hosts(c));
    }
    System.out.println("created:     " + time(c, "createdAt"));
    System.out.println("updated:     " + time(c, "updatedAt"));
    System.out.println("last used:   " + lastUsed(c.get("lastUsed")));
    Table versions = new Table("  VERSION", "STATUS", "HINT", "FINGERPRINT", "CREATED", "REVOKED");
    for (JsonNode v : c.path("versions")) {
      versions.row(
          "  " + text(v, "version"),
          text(v, "status"),
          text(v, "hint"),
          text(v, "fingerprint"),
          time(v, "createdAt"),
          time(v, "revokedAt"));
    }
    System.out.println("versions:");
    versions.print();
  }

  /**
   * What a change did to the live sessions holding the credential, from the API's {@code
   * affectedSessions {count, action, sessions}}: "2 live sessions ended: ses_…, ses_…".
   */
  static String liveSessions(JsonNode res) {
    JsonNode a = res == null ? null : res.get("affectedSessions");
    if (a == null || a.get("count") == null) {
      return "live sessions: not reported by the server";
    }
    int n = a.get("count").asInt();
    if (n == 0) {
      return "no live session held it";
    }
    List<String> ids = new ArrayList<>();
    a.path("sessions").forEach(s -> ids.add(s.asText()));
    String what =
        "restart-requested".equals(a.path("action").asText()) ? "asked to restart" : "ended";
    return n + " live session" + (n == 1 ? "" : "s") + " " + what + ": " + String.join(", ", ids);
  }

  private static String hosts(JsonNode c) {
    List<String> h = new ArrayList<>();
    c.path("hosts").forEach(x -> h.add(x.asText()));
    return h.isEmpty() ? "-" : String.join(" ", h);
  }

  private static String lastUsed(JsonNode u) {
    if (u == null || u.isNull()) {
      return "never";
    }
    StringBuilder b = new StringBuilder(time(u, "at"));
    if (u.hasNonNull("sessionId")) {
      b.append(" in session ").append(text(u, "sessionId"));
    }
    if (u.hasNonNull("workroomId")) {
      b.append(", workroom ").append(text(u, "workroomId"));
    }
    if (u.hasNonNull("skill")) {
      b.append(", skill ").append(text(u, "skill"));
    }
    return b.toString();
  }
}
