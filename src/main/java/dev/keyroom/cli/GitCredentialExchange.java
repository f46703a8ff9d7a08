package dev.keyroom.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The one request {@code keyroom git-credential} makes: git's protocol, host, path and user name to
 * {@code POST /api/v1/sessions/{id}/git-credential} with the session token; the answer is the
 * credential, or a refusal with the server's status and message. It is made for every git
 * operation, so it uses what starts quickly — {@link HttpCall}, Jackson's generator for the request
 * and {@link JsonReader} for the answer, not {@link SessionClient}'s HTTP client and object mapper:
 * no proxy, no redirect followed (the token goes to the session's Keyroom URL and nowhere else), a
 * 10 s connect and 30 s read timeout.
 */
final class GitCredentialExchange {
  private static final JsonFactory JSON = new JsonFactory();

  /** What git gets: a user name and the token. */
  record Credential(String username, String password) {
    String revealPassword() {
      return password;
    }

    @Override
    public String toString() {
      return "Credential[username=" + username + ", password=[REDACTED]]";
    }
  }

  /**
   * The server refused ({@code status} is its HTTP status); the message is the server's, printable.
   */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final String base;
  private final String token;
  private String sessionId;

  GitCredentialExchange(String url, String token, String sessionId) {
    this.base = url.replaceAll("/+$", "");
    this.token = token;
    this.sessionId = sessionId == null || sessionId.isBlank() ? null : sessionId;
  }

  Credential get(String protocol, String host, String path, String username) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(body)) {
      g.writeStartObject();
      g.writeStringField("protocol", protocol);
      g.writeStringField("host", host);
      g.writeStringField("path", path);
      g.writeStringField("username", username);
      g.writeEndObject();
    }
    Map<String, String> answer =
        send("POST", "/api/v1/sessions/" + sessionId() + "/git-credential", body.toByteArray());
    String user = answer.get("username");
    String password = answer.get("password");
    if (user == null || password == null) {
      throw new Refused(502, "Keyroom's answer has no credential");
    }
    return new Credential(user, password);
  }

  /** The session id: given (KEYROOM_SESSION_ID), or asked of the server for this token. */
  private String sessionId() throws IOException {
    if (sessionId == null) {
      String id = send("GET", "/api/v1/session", null).get("id");
      if (id == null || id.isBlank()) {
        throw new Refused(502, "Keyroom's answer names no session");
      }
      sessionId = id;
    }
    return sessionId;
  }

  /**
   * One request; a 2xx answer's top-level string fields, or {@link Refused} with the server's
   * message.
   */
  private Map<String, String> send(String method, String path, byte[] body) throws IOException {
    HttpCall.Answer answer;
    try {
      answer =
          HttpCall.send(
              method,
              URI.create(base + path),
              token,
              body,
              Duration.ofSeconds(10),
              Duration.ofSeconds(30));
    } catch (ConnectException e) {
      throw new Failures.CliException(
          Main.UNREACHABLE, "cannot reach Keyroom at " + base + "; is it running?");
    } catch (IOException e) {
      throw new Failures.CliException(
          Main.UNREACHABLE, "request to " + base + " failed: " + e.getClass().getSimpleName());
    }
    Map<String, String> fields = JsonReader.strings(answer.body());
    if (!answer.ok()) {
      String message = fields.get("message");
      throw new Refused(
          answer.status(),
          message == null
              ? "HTTP " + answer.status()
              : ApiClient.printable(message) + " (HTTP " + answer.status() + ")");
    }
    return fields;
  }
}
