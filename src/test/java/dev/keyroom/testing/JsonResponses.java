package dev.keyroom.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;

/** JSON in and out of API calls in tests: bodies to send, answers checked and read. */
public final class JsonResponses {
  private JsonResponses() {}

  /**
   * Asserts the status (showing the body when it differs) and returns the body as JSON (null when
   * empty).
   */
  public static JsonNode ok(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return res.body().isEmpty() ? null : parse(res.body());
  }

  public static JsonNode parse(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String json(Object o) {
    try {
      return Json.MAPPER.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of variable {@code name} in a session environment answer, or null. */
  public static String var(JsonNode env, String name) {
    for (JsonNode v : env.get("variables")) {
      if (v.get("name").asText().equals(name)) {
        return v.get("value").asText();
      }
    }
    return null;
  }
}
