package dev.keyroom.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A git server over HTTP for tests: {@code git http-backend} (CGI) behind a JDK HTTP server on port
 * 0, requiring HTTP Basic with one token as the password. Records every password it saw.
 */
public final class GitHttpServer implements AutoCloseable {
  public static final String BACKEND = "/usr/lib/git-core/git-http-backend";

  private final HttpServer server;
  private final Path root;
  private final String token;
  public final List<String> passwordsSeen = new CopyOnWriteArrayList<>();
  public final List<Integer> statuses = new CopyOnWriteArrayList<>();

  public GitHttpServer(Path root, String token) throws IOException {
    this.root = root;
    this.token = token;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  /** The host as git's credential request names it: {@code 127.0.0.1:<port>}. */
  public String hostAndPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public String url(String repo) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + repo;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      String password = null;
      if (auth != null && auth.startsWith("Basic ")) {
        String pair =
            new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
        password = pair.substring(pair.indexOf(':') + 1);
        passwordsSeen.add(password);
      }
      if (password == null || !password.equals(token)) {
        ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
        statuses.add(401);
        ex.sendResponseHeaders(401, -1);
        return;
      }
      cgi(ex);
    }
  }

  private void cgi(HttpExchange ex) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(BACKEND);
    Map<String, String> env = pb.environment();
    env.put("GIT_PROJECT_ROOT", root.toString());
    env.put("GIT_HTTP_EXPORT_ALL", "1");
    env.put("REMOTE_USER", "tester");
    env.put("REQUEST_METHOD", ex.getRequestMethod());
    env.put("PATH_INFO", ex.getRequestURI().getPath());
    env.put(
        "QUERY_STRING",
        ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    env.put("CONTENT_TYPE", type == null ? "" : type);
    String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
    if (encoding != null) {
      env.put("HTTP_CONTENT_ENCODING", encoding);
    }
    String protocol = ex.getRequestHeaders().getFirst("Git-Protocol");
    if (protocol != null) {
      env.put("GIT_PROTOCOL", protocol);
    }
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    Thread feeder =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (OutputStream in = p.getOutputStream();
                      InputStream body = ex.getRequestBody()) {
                    body.transferTo(in);
                  } catch (IOException e) {
                    // the backend closed its input early; its response says what went wrong
                    Thread.currentThread().interrupt();
                  }
                });
    byte[] all = p.getInputStream().readAllBytes();
    try {
      feeder.join();
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    int sepLen = 4;
    if (split < 0) {
      split = indexOf(all, "\n\n".getBytes(StandardCharsets.US_ASCII));
      sepLen = 2;
    }
    String head = new String(all, 0, Math.max(split, 0), StandardCharsets.ISO_8859_1);
    int status = 200;
    for (String line : head.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Status")) {
        status = Integer.parseInt(value.substring(0, 3));
      } else {
        ex.getResponseHeaders().add(name, value);
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(all, split + sepLen, all.length - split - sepLen);
    statuses.add(status);
    ex.sendResponseHeaders(status, body.size() == 0 ? -1 : body.size());
    if (body.size() > 0) {
      ex.getResponseBody().write(body.toByteArray());
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
