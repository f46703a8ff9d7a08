package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import java.io.PrintStream;

/**
 * Who a token speaks for, as {@code GET /api/v1/me} says, and where: what {@code login} and {@code
 * whoami} print. Carries no token.
 */
record Identity(
    String url,
    String profile,
    String tenantId,
    String kind,
    String userId,
    String user,
    String role) {
  static Identity of(ApiClient api, String profile) {
    JsonNode me = api.get("/api/v1/me");
    JsonNode u = me.path("user");
    return new Identity(
        api.url(),
        profile,
        text(me.get("tenantId")),
        text(me.get("kind")),
        text(u.get("id")),
        text(u.get("name")),
        text(u.get("role")));
  }

  /** One line for a person, or the record as JSON. */
  void print(PrintStream out, boolean json, String prefix) {
    if (json) {
      try {
        out.println(Json.MAPPER.writeValueAsString(this));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(
            "identity could not be written as JSON: " + e.getClass().getSimpleName());
      }
      return;
    }
    String who = "service".equals(kind) ? "the platform's service token" : user + " (" + role + ")";
    out.println(
        prefix
            + who
            + " in tenant "
            + tenantId
            + " at "
            + url
            + (profile == null ? " (token from KEYROOM_TOKEN)" : " (profile " + profile + ")"));
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? null : ApiClient.printable(n.asText());
  }
}
