package dev.keyroom.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A provider at the edge of the world: a real HTTP server on port 0 that records every request it
 * receives (headers, path, query, body) and answers with whatever a test installed for a path.
 */
public final class FakeUpstream implements AutoCloseable {
  /** A request as the upstream saw it. Header names are lower-cased. */
  public record Seen(
      String method,
      String path,
      String query,
      Map<String, List<String>> headers,
      byte[] body,
      long bodyBytes) {
    public String header(String name) {
      List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
      return v == null ? null : String.join(",", v);
    }

    /** Everything the upstream received, as text, for leak scans. */
    public String everything() {
      return method
          + " "
          + path
          + "?"
          + query
          + "\n"
          + headers
          + "\n"
          + new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Answers a request; may stream. */
  @FunctionalInterface
  public interface Answer {
    void answer(HttpExchange ex, Seen seen) throws Exception;
  }

  private final HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private volatile boolean keepBodies = true;

  public FakeUpstream() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Installs the answer for requests whose path starts with {@code pathPrefix} (longest prefix
   * wins).
   */
  public FakeUpstream on(String pathPrefix, Answer a) {
    answers.put(pathPrefix, a);
    return this;
  }

  /** Counts body bytes without keeping them (large uploads). */
  public FakeUpstream discardBodies() {
    keepBodies = false;
    return this;
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  public Seen last() {
    return seen.isEmpty() ? null : seen.get(seen.size() - 1);
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      Map<String, List<String>> headers = new TreeMap<>();
      ex.getRequestHeaders()
          .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
      String path = ex.getRequestURI().getRawPath();
      Answer answer =
          answers.entrySet().stream()
              .filter(e -> path.startsWith(e.getKey()))
              .max(java.util.Comparator.comparingInt(e -> e.getKey().length()))
              .map(Map.Entry::getValue)
              .orElse(null);
      byte[] body;
      long count;
      if (answer instanceof StreamingAnswer) {
        body = new byte[0];
        count = -1;
      } else if (keepBodies) {
        body = ex.getRequestBody().readAllBytes();
        count = body.length;
      } else {
        count = drain(ex.getRequestBody());
        body = new byte[0];
      }
      Seen s =
          new Seen(
              ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), headers, body, count);
      seen.add(s);
      if (answer == null) {
        json(ex, 404, "{\"error\":{\"message\":\"no such fake route\"}}");
        return;
      }
      answer.answer(ex, s);
    } catch (Exception e) {
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException(e);
    } finally {
      ex.close();
    }
  }

  /** An answer that reads the request body itself (streaming uploads). */
  public interface StreamingAnswer extends Answer {}

  private static long drain(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    int r;
    while ((r = in.read(buf)) >= 0) {
      n += r;
    }
    return n;
  }

  public static void json(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
