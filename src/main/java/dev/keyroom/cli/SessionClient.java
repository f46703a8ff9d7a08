package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Talks to Keyroom's session API with the session's own {@code kr_sess_} token. */
final class SessionClient {
  /** One environment variable; {@code secret} ones are masked in output. */
  record Variable(String name, String value, boolean secret) {
    @Override
    public String toString() {
      return "Variable[" + name + "=" + (secret ? "[REDACTED]" : value) + "]";
    }
  }

  /**
   * A credential the session's environment left out, and why (the server's words, printable): the
   * variable when the server knows it, and the part of the workroom it came from.
   */
  record Skipped(String variable, String source, String reason) {
    /** "VAR (tools[1]): reason", or "tools[1]: reason" when the variable is not known. */
    String line() {
      String why =
          source != null && reason.startsWith(source + ": ")
              ? reason.substring(source.length() + 2)
              : reason;
      if (variable == null) {
        return (source == null ? "a credential" : source) + ": " + why;
      }
      return variable + (source == null ? "" : " (" + source + ")") + ": " + why;
    }
  }

  /** The session's variables and what was skipped. */
  record Environment(List<Variable> variables, List<Skipped> skipped) {}

  /** A server-sent event. */
  record Event(String type, JsonNode data) {}

  /** The server answered with an error status. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final URI base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private String sessionId;

  SessionClient(String url, String token, String sessionId) {
    this.base = URI.create(url.replaceAll("/+$", ""));
    this.token = token;
    this.sessionId = sessionId;
  }

  /** The session id: given, or asked of the server for this token. */
  String sessionId() throws IOException, InterruptedException {
    if (sessionId == null || sessionId.isBlank()) {
      sessionId = json(send(request("/api/v1/session").GET())).get("id").asText();
    }
    return sessionId;
  }

  Environment environment() throws IOException, InterruptedException {
    JsonNode env = json(send(request("/api/v1/sessions/" + sessionId() + "/environment").GET()));
    List<Variable> out = new ArrayList<>();
    for (JsonNode v : env.get("variables")) {
      out.add(
          new Variable(
              v.get("name").asText(), v.get("value").asText(), v.get("secret").asBoolean()));
    }
    List<Skipped> skipped = new ArrayList<>();
    for (JsonNode s : env.path("skipped")) {
      skipped.add(
          new Skipped(
              text(s, "variable"),
              text(s, "source"),
              s.hasNonNull("reason") ? text(s, "reason") : "not delivered"));
    }
    return new Environment(out, skipped);
  }

  void end() throws IOException, InterruptedException {
    send(request("/api/v1/sessions/" + sessionId()).DELETE());
  }

  /**
   * Follows the session's event stream until it ends; calls {@code onEvent} for each event. Returns
   * normally when the stream closes; throws {@link Refused} when the server refuses it (the session
   * has ended or the token is unknown).
   */
  void follow(Consumer<Event> onEvent) throws IOException, InterruptedException {
    HttpRequest req =
        request("/api/v1/sessions/" + sessionId() + "/events")
            .header("Accept", "text/event-stream")
            .GET()
            .build();
    HttpResponse<InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    if (res.statusCode() != 200) {
      String body = new String(res.body().readAllBytes(), StandardCharsets.UTF_8);
      throw new Refused(res.statusCode(), message(body, res.statusCode()));
    }
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
      String type = null;
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          if (type != null) {
            onEvent.accept(
                new Event(type, data.isEmpty() ? null : Json.MAPPER.readTree(data.toString())));
          }
          type = null;
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          type = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).trim());
        }
      }
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token);
  }

  private String send(HttpRequest.Builder b) throws IOException, InterruptedException {
    HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() / 100 != 2) {
      throw new Refused(res.statusCode(), message(res.body(), res.statusCode()));
    }
    return res.body();
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : ApiClient.printable(v.asText());
  }

  private static JsonNode json(String body) throws IOException {
    return Json.MAPPER.readTree(body);
  }

  private static String message(String body, int status) {
    try {
      JsonNode n = Json.MAPPER.readTree(body);
      if (n != null && n.has("message")) {
        return n.get("message").asText() + " (HTTP " + status + ")";
      }
    } catch (IOException e) {
      return "HTTP " + status;
    }
    return "HTTP " + status;
  }
}
