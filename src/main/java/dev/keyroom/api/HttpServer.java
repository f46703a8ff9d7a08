package dev.keyroom.api;

import dev.keyroom.error.KeyroomException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.logging.SafeTrace;
import dev.keyroom.store.Redaction;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyroom's one HTTP server: API, proxy, session API, UI, health and metrics on one port (the proxy
 * optionally on a second). Maps every failure to {@code {"error": code, "message": …}} in one place
 * and logs requests by route template only (paths and queries may carry keys). Core routes (the
 * proxy) are served by {@link CoreRoutes} ahead of Javalin; the rest by Javalin.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("keyroom.access");

  /** The name of the connector of the proxy's own listener, when there is one. */
  static final String PROXY_CONNECTOR = "proxy";

  /** The name of the main listener's connector when the proxy has a listener of its own. */
  static final String MAIN_CONNECTOR = "main";

  /** Connections the kernel may hold for a listener before they are accepted (capped by it). */
  static final int ACCEPT_QUEUE = 4096;

  private final Javalin app;
  private final List<ApiRoutes.Route> routes = new ArrayList<>();
  private final boolean proxyListener;

  public HttpServer(
      String host,
      int port,
      Authenticator authenticator,
      Metrics metrics,
      List<ApiRoutes.Module> modules) {
    this(host, port, null, authenticator, metrics, modules);
  }

  /**
   * With {@code proxyPort} not null, a second listener on that port serves the provider proxy
   * ({@code /proxy/*}) and {@code /health} only, and the main port no longer serves the proxy: the
   * two can sit behind different network rules.
   */
  public HttpServer(
      String host,
      int port,
      Integer proxyPort,
      Authenticator authenticator,
      Metrics metrics,
      List<ApiRoutes.Module> modules) {
    this.proxyListener = proxyPort != null;
    metrics.describe("keyroom_http_requests_total", "HTTP requests by method, route and status");
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.concurrency.useVirtualThreads = true;
              config.jetty.threadPool = threads();
              config.jetty.host = host;
              config.jetty.port = port;
              config.http.maxRequestSize = Json.MAX_BODY_BYTES;
              config.http.generateEtags = false;
              config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors()));
              // with a connector added, Javalin adds none of its own: the listeners are made here
              config.jetty.addConnector(
                  (server, http) -> connector(server, http, host, port, MAIN_CONNECTOR));
              if (proxyPort != null) {
                config.jetty.addConnector(
                    (server, http) -> connector(server, http, host, proxyPort, PROXY_CONNECTOR));
              }
              config.jetty.modifyHttpConfiguration(
                  http -> {
                    http.setSendServerVersion(false);
                    http.setSendXPoweredBy(false);
                  });
              config.requestLogger.http(
                  (ctx, ms) -> {
                    String route = route(ctx);
                    metrics.increment(
                        "keyroom_http_requests_total",
                        "method",
                        ctx.method().name(),
                        "route",
                        route,
                        "status",
                        Integer.toString(ctx.statusCode()));
                    ACCESS.info(
                        "{} {} {} {}ms",
                        ctx.method().name(),
                        route,
                        ctx.statusCode(),
                        Math.round(ms));
                  });
              config.routes.before(
                  ctx -> {
                    if (proxyPort != null) {
                      separateListeners(ctx);
                    }
                    RequestShape.check(ctx);
                    ctx.header("X-Content-Type-Options", "nosniff");
                    ctx.header("X-Frame-Options", "DENY");
                    ctx.header("Referrer-Policy", "no-referrer");
                    if (ctx.path().startsWith("/api/")) {
                      ctx.header("Cache-Control", "no-store");
                    }
                  });
              config.routes.exception(
                  KeyroomException.class,
                  (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage()));
              config.routes.exception(
                  HttpResponseException.class,
                  (e, ctx) ->
                      error(
                          ctx,
                          e.getStatus(),
                          codeFor(e.getStatus()),
                          e.getStatus() == 413
                              ? "request body must be at most " + Json.MAX_BODY_BYTES + " bytes"
                              : e.getStatus() == 404
                                  ? "no such route: "
                                      + ctx.method().name()
                                      + " "
                                      + Redaction.pathOnly(ctx.path())
                                  : messageFor(e.getStatus())));
              config.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    KeyroomException known = RequestShape.explain(e);
                    if (known != null) {
                      error(ctx, known.status(), known.code(), known.getMessage());
                      return;
                    }
                    String ref = UUID.randomUUID().toString().substring(0, 8);
                    // Logged by class and frames only: a library's exception message may quote a
                    // header or a value.
                    LOG.error(
                        "internal error ref={} on {} {}: {}",
                        ref,
                        ctx.method().name(),
                        route(ctx),
                        e.getClass().getName());
                    if (LOG.isDebugEnabled()) {
                      LOG.debug("internal error ref={} trace:\n{}", ref, SafeTrace.of(e));
                    }
                    error(
                        ctx,
                        500,
                        "internal",
                        "internal error (ref " + ref + "); the server log has details");
                  });
              config.routes.error(
                  404,
                  "*",
                  ctx -> {
                    if (ctx.endpoint() == null || ctx.result() == null) {
                      error(
                          ctx,
                          404,
                          "not_found",
                          "no such route: "
                              + ctx.method().name()
                              + " "
                              + Redaction.pathOnly(ctx.path()));
                    }
                  });
              config.routes.error(
                  405,
                  "*",
                  ctx -> error(ctx, 405, "method_not_allowed", "method not allowed on this route"));
              ApiRoutes api = new ApiRoutes(config.routes, authenticator);
              for (ApiRoutes.Module m : modules) {
                m.register(api);
              }
              routes.addAll(api.routes());
              if (!api.coreRoutes().isEmpty()) {
                // Javalin puts its servlet stack inside this wrapper: core routes are served ahead
                // of it, everything else passes through.
                CoreRoutes core = new CoreRoutes(api.coreRoutes(), proxyPort != null, metrics);
                config.jetty.modifyServer(server -> server.setHandler(core));
              }
            });
  }

  /**
   * Jetty's I/O — selectors, parsing, writes — on a small pool of platform threads; request
   * handlers, which may block on the database, on a virtual thread each, or (Jetty's choice under
   * load) on the pool thread that read the request once another has taken over its selecting. (With
   * every task on a virtual thread, the selectors' blocking {@code select} calls held carrier
   * threads, of which there are as many as cores.)
   */
  private static QueuedThreadPool threads() {
    QueuedThreadPool threads = new QueuedThreadPool(200, 8);
    threads.setName("keyroom-http");
    threads.setVirtualThreadsExecutor(
        VirtualThreads.getNamedVirtualThreadsExecutor("keyroom-request"));
    return threads;
  }

  public HttpServer start() {
    app.start();
    LOG.info("listening on port {}", port());
    return this;
  }

  /** The main listener's port (API, web UI, and the proxy unless it has a listener of its own). */
  public int port() {
    return localPort(MAIN_CONNECTOR);
  }

  private static ServerConnector connector(
      org.eclipse.jetty.server.Server server,
      org.eclipse.jetty.server.HttpConfiguration http,
      String host,
      int port,
      String name) {
    ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
    // Many clients connecting at once (a workroom opening its streams) must not overflow the
    // kernel's queue of connections not yet accepted: the JDK's default of 50 drops the rest,
    // whose clients retry a second or more later.
    c.setAcceptQueueSize(ACCEPT_QUEUE);
    c.setHost(host);
    c.setPort(port);
    c.setName(name);
    return c;
  }

  /** The port of the proxy's own listener, or 0 when the proxy shares the main port. */
  public int proxyPort() {
    return proxyListener ? localPort(PROXY_CONNECTOR) : 0;
  }

  private int localPort(String connector) {
    for (var c : app.jettyServer().server().getConnectors()) {
      if (connector.equals(c.getName()) && c instanceof ServerConnector sc) {
        return sc.getLocalPort();
      }
    }
    throw new IllegalStateException("the " + connector + " listener is not running");
  }

  /**
   * With a listener of its own, the proxy's routes answer there alone and that listener answers
   * nothing else but {@code /health}: a 404 naming where the route lives.
   */
  private static void separateListeners(Context ctx) {
    boolean onProxyListener =
        PROXY_CONNECTOR.equals(
            ServletContextRequest.getServletContextRequest(ctx.req())
                .getConnectionMetaData()
                .getConnector()
                .getName());
    boolean proxyRoute = ctx.path().equals("/proxy") || ctx.path().startsWith("/proxy/");
    if (onProxyListener && !proxyRoute && !ctx.path().equals("/health")) {
      throw new NotFoundException(
          "this listener serves the provider proxy (/proxy/…) only; the API and the web UI are on"
              + " the main port");
    }
    if (!onProxyListener && proxyRoute) {
      throw new NotFoundException(
          "the provider proxy has a listener of its own (KEYROOM_PROXY_PORT); send proxied"
              + " requests there");
    }
  }

  public Javalin javalin() {
    return app;
  }

  public List<ApiRoutes.Route> routes() {
    return List.copyOf(routes);
  }

  @Override
  public void close() {
    app.stop();
  }

  /**
   * The route template of a request ({@code /api/v1/secrets/{id}}), never its concrete path: a path
   * segment or a proxied path may carry anything a client put there, a key included.
   */
  public static String route(Context ctx) {
    return ctx.endpoint() == null ? "unmatched" : ctx.endpoint().path;
  }

  public static void error(Context ctx, int status, String code, String message) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    Json.write(ctx, status, body);
  }

  /**
   * The same error body for core handlers (the proxy): {@code {"error": code, "message": …}} with
   * {@code status}, completing {@code callback}; once the response is committed the callback fails
   * instead, which breaks the response off rather than let it look complete.
   */
  public static void writeError(
      org.eclipse.jetty.server.Response response,
      org.eclipse.jetty.util.Callback callback,
      int status,
      String code,
      String message) {
    CoreRoutes.writeError(response, callback, status, code, message);
  }

  private static String codeFor(int status) {
    return switch (status) {
      case 400 -> "invalid_request";
      case 401 -> "unauthenticated";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "payload_too_large";
      case 415 -> "unsupported_media_type";
      default -> status >= 500 ? "internal" : "error";
    };
  }

  private static String messageFor(int status) {
    return switch (status) {
      case 400 -> "the request is malformed";
      case 404 -> "not found";
      case 405 -> "method not allowed on this route";
      default -> "request failed with status " + status;
    };
  }
}
