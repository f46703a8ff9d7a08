package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;

/**
 * Keyroom's API with a user's (or the platform's) token. A refusal becomes a {@link
 * Failures.CliException} with the server's message and status (exit 1); an unreachable server exit
 * 5. Messages from the server are printed with control characters replaced.
 */
final class ApiClient {
  /** The server refused the call; {@code status} is its HTTP status. */
  static final class Refused extends Failures.CliException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(Main.FAILED, message);
      this.status = status;
    }
  }

  private final String base;
  private final String token;

  ApiClient(Server.Target target) {
    this.base = target.url().replaceAll("/+$", "");
    this.token = target.token();
  }

  String url() {
    return base;
  }

  JsonNode get(String path) {
    return call("GET", path, null, Duration.ofSeconds(30));
  }

  JsonNode call(String method, String path, Object body) {
    return call(method, path, body, Duration.ofSeconds(30));
  }

  JsonNode call(String method, String path, Object body, Duration timeout) {
    try {
      byte[] json = body == null ? null : Json.MAPPER.writeValueAsBytes(body);
      HttpCall.Answer res =
          HttpCall.send(
              method, URI.create(base + path), token, json, Duration.ofSeconds(5), timeout);
      JsonNode answer = res.body().length == 0 ? null : JsonReader.tree(res.body());
      if (!res.ok()) {
        String message =
            answer != null && answer.has("message")
                ? printable(answer.get("message").asText())
                : "HTTP " + res.status();
        throw new Refused(res.status(), message + " (HTTP " + res.status() + ")");
      }
      return answer;
    } catch (ConnectException e) {
      throw new Failures.CliException(
          Main.UNREACHABLE,
          "cannot reach Keyroom at " + base + "; is it running? (set --url or KEYROOM_URL)");
    } catch (IOException e) {
      throw new Failures.CliException(
          Main.UNREACHABLE, "request to " + base + " failed: " + e.getClass().getSimpleName());
    }
  }

  /** Text from the server, safe for a terminal: no escape sequences, no line breaks. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }
}
