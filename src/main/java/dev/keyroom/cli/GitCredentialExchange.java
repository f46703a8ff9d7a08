package dev.keyroom.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * The one request {@code keyroom git-credential} makes: git's protocol, host, path and user name to
 * {@code POST /api/v1/sessions/{id}/git-credential} with the session token; the answer is the
 * credential, or a refusal with the server's status. It is made for every git operation, so it
 * uses what the JDK starts quickly — {@link HttpURLConnection} and Jackson's streaming parser —
 * instead of {@link SessionClient}'s HTTP client and object mapper; it behaves as that client does:
 * no proxy, no redirect followed (the token goes to the session's Keyroom URL and nowhere else),
 * a 10 s connect and 30 s read timeout.
 */
final class GitCredentialExchange {
  /** Largest answer read from the server; a credential answer is a few hundred bytes. */
  static final int MAX_ANSWER_BYTES = 64 * 1024;
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

  /** The server refused ({@code status} is its HTTP status); the message is the server's, printable. */
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
    Map<String, String> answer = send("POST", "/api/v1/sessions/" + sessionId() + "/git-credential", body.toByteArray());
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

  /** One request; a 2xx answer's top-level string fields, or {@link Refused} with the server's message. */
  private Map<String, String> send(String method, String path, byte[] body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection(Proxy.NO_PROXY);
    try {
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout(10_000);
      c.setReadTimeout(30_000);
      c.setRequestMethod(method);
      c.setRequestProperty("Authorization", "Bearer " + token);
      c.setRequestProperty("Accept", "application/json");
      if (body != null) {
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        c.setFixedLengthStreamingMode(body.length);
        try (OutputStream out = c.getOutputStream()) {
          out.write(body);
        }
      }
      int status = c.getResponseCode();
      Map<String, String> fields;
      try (InputStream in = status / 100 == 2 ? c.getInputStream() : c.getErrorStream()) {
        fields = in == null ? Map.of() : fields(in.readNBytes(MAX_ANSWER_BYTES));
      }
      if (status / 100 != 2) {
        String message = fields.get("message");
        throw new Refused(status, (message == null ? "HTTP " + status : ApiClient.printable(message) + " (HTTP " + status + ")"));
      }
      return fields;
    } catch (ConnectException e) {
      throw new Failures.CliException(Main.UNREACHABLE, "cannot reach Keyroom at " + base + "; is it running?");
    } catch (IOException e) {
      throw new Failures.CliException(Main.UNREACHABLE, "request to " + base + " failed: " + e.getClass().getSimpleName());
    } finally {
      c.disconnect();
    }
  }

  /** The string fields of a JSON object (nested values skipped); empty when the body is not one. */
  private static Map<String, String> fields(byte[] json) {
    Map<String, String> out = new HashMap<>();
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Map.of();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        if (p.nextToken() == JsonToken.VALUE_STRING) {
          out.put(name, p.getText());
        } else {
          p.skipChildren();
        }
      }
      return out;
    } catch (IOException e) {
      return Map.of(); // not JSON (a proxy's error page): the status says enough
    }
  }
}
