package dev.keyroom.api;

import dev.keyroom.error.KeyroomException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyroom's one HTTP server: API, proxy, session API, UI, health and metrics on one port. Maps
 * every failure to {@code {"error": code, "message": …}} in one place and logs requests by route
 * template only (paths and queries may carry keys).
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("keyroom.access");

  private final Javalin app;
  private final List<ApiRoutes.Route> routes = new ArrayList<>();

  public HttpServer(
      String host,
      int port,
      Authenticator authenticator,
      Metrics metrics,
      List<ApiRoutes.Module> modules) {
    metrics.describe("keyroom_http_requests_total", "HTTP requests by method, route and status");
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.concurrency.useVirtualThreads = true;
              config.jetty.host = host;
              config.jetty.port = port;
              config.http.maxRequestSize = Json.MAX_BODY_BYTES;
              config.http.generateEtags = false;
              config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors()));
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
            });
  }

  public HttpServer start() {
    app.start();
    LOG.info("listening on port {}", app.port());
    return this;
  }

  public int port() {
    return app.port();
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
