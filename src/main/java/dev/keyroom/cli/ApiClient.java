package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Keyroom's API with a user's (or the platform's) token. A refusal becomes a
 * {@link Failures.CliException} with the server's message and status (exit 1); an unreachable
 * server exit 5. Messages from the server are printed with control characters replaced.
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
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
      HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
          .header("Authorization", "Bearer " + token);
      if (body != null) {
        req.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
      } else {
        req.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<byte[]> res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json = res.body().length == 0 ? null : parse(res.body());
      if (res.statusCode() >= 400) {
        String message = json != null && json.has("message") ? printable(json.get("message").asText()) : "HTTP " + res.statusCode();
        throw new Refused(res.statusCode(), message + " (HTTP " + res.statusCode() + ")");
      }
      return json;
    } catch (ConnectException e) {
      throw new Failures.CliException(Main.UNREACHABLE, "cannot reach Keyroom at " + base + "; is it running? (set --url or KEYROOM_URL)");
    } catch (IOException e) {
      throw new Failures.CliException(Main.UNREACHABLE, "request to " + base + " failed: " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failures.CliException(Main.FAILED, "interrupted");
    }
  }

  private static JsonNode parse(byte[] body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return null; // not JSON (a proxy's error page): the status says enough
    }
  }

  /** Text from the server, safe for a terminal: no escape sequences, no line breaks. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }
}
