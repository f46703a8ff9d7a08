package dev.keyroom.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One request of the CLI to Keyroom, with a bearer token and an optional JSON body: the status and
 * the body of the answer. No proxy, no redirect followed — the token goes to the URL asked for and
 * nowhere else. It goes over {@link HttpURLConnection}, which the JDK starts in a fraction of the
 * time its {@link HttpClient} takes (a selector thread, and the default TLS context with its trust
 * store even for plain http); PATCH, which {@link HttpURLConnection} lacks, over {@link
 * HttpClient}. Commands run once per process, so nothing is kept between calls.
 */
final class HttpCall {
  /** Largest answer read; the rest is cut off (the API's largest lists are far smaller). */
  static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

  /** The server's answer. */
  record Answer(int status, byte[] body) {
    boolean ok() {
      return status / 100 == 2;
    }
  }

  static {
    // HttpURLConnection sends a POST again when a connection drops before the answer; a request
    // that starts a session or creates a secret must not run twice
    System.setProperty("sun.net.http.retryPost", "false");
  }

  private HttpCall() {}

  static Answer send(
      String method, URI uri, String token, byte[] json, Duration connectTimeout, Duration timeout)
      throws IOException {
    if (method.equals("PATCH")) {
      return Patch.send(uri, token, json, connectTimeout, timeout);
    }
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
    try {
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout((int) connectTimeout.toMillis());
      c.setReadTimeout((int) timeout.toMillis());
      c.setRequestMethod(method);
      c.setRequestProperty("Authorization", "Bearer " + token);
      c.setRequestProperty("Accept", "application/json");
      if (json != null) {
        // not in streaming mode: then a 401 (which names a WWW-Authenticate scheme) would surface
        // as an exception without the server's message instead of as the answer
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
          out.write(json);
        }
      }
      int status = c.getResponseCode();
      try (InputStream in = status / 100 == 2 ? c.getInputStream() : c.getErrorStream()) {
        return new Answer(status, in == null ? new byte[0] : in.readNBytes(MAX_ANSWER_BYTES));
      }
    } finally {
      c.disconnect();
    }
  }

  /**
   * PATCH over the JDK's HTTP client: loaded only by the commands that change a resource in part.
   */
  private static final class Patch {
    static Answer send(
        URI uri, String token, byte[] json, Duration connectTimeout, Duration timeout)
        throws IOException {
      HttpClient http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
      HttpRequest.Builder req =
          HttpRequest.newBuilder(uri)
              .timeout(timeout)
              .header("Authorization", "Bearer " + token)
              .header("Accept", "application/json");
      if (json != null) {
        req.header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(json));
      } else {
        req.method("PATCH", HttpRequest.BodyPublishers.noBody());
      }
      try {
        HttpResponse<byte[]> res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(res.statusCode(), res.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Failures.CliException(Main.FAILED, "interrupted");
      }
    }
  }
}
