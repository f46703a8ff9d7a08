package dev.keyroom.bench;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The floor for a reverse proxy on Keyroom's stack: Jetty's own {@code ProxyHandler.Reverse} on the
 * same JVM and Jetty version, doing only what the benchmark's nginx does (strip {@code
 * /proxy/gemini}, set the key header, keep upstream connections alive) — no placeholder check, no
 * usage, no audit. {@code bench/proxy} runs it as a fourth path beside direct, nginx and Keyroom,
 * so the gap to nginx splits into what the JVM and Jetty cost and what Keyroom's own work costs.
 *
 * <p>Usage: {@code java -cp … dev.keyroom.bench.JettyReverseProxy PORT UPSTREAM_PORT}, the key in
 * {@code BENCH_UPSTREAM_KEY}
 */
public final class JettyReverseProxy {
  private static final String PREFIX = "/proxy/gemini";

  private JettyReverseProxy() {}

  public static void main(String[] args) throws Exception {
    // Warnings only, as Keyroom runs in the benchmark (KEYROOM_LOG_LEVEL=warn).
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    String key = System.getenv("BENCH_UPSTREAM_KEY"); // not argv: process lists show it
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(4096);
    server.addConnector(connector);
    ProxyHandler.Reverse proxy =
        new ProxyHandler.Reverse(
            (Request r) -> {
              String path = r.getHttpURI().getPath();
              return HttpURI.build(r.getHttpURI())
                  .scheme("http")
                  .host("127.0.0.1")
                  .port(upstream)
                  .path(path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : path);
            }) {
          @Override
          protected void addProxyHeaders(
              Request clientToProxy, org.eclipse.jetty.client.Request proxyToServer) {
            proxyToServer.headers(h -> h.put("x-goog-api-key", key));
          }

          @Override
          protected void configureHttpClient(HttpClient client) {
            super.configureHttpClient(client);
            client.setMaxConnectionsPerDestination(4096);
          }
        };
    server.setHandler(proxy);
    server.start();
    System.out.println("listening on 127.0.0.1:" + port);
    server.join();
  }
}
