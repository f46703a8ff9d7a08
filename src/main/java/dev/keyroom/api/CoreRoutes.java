package dev.keyroom.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.error.UnsupportedMediaTypeException;
import dev.keyroom.logging.SafeTrace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes served by core Jetty handlers ({@link ApiRoutes.CoreRoute}), in front of the servlet
 * and Javalin stack: a request under a core route's prefix enters neither. What every request gets
 * on the Javalin side it gets here as well — the listener rule, the shape checks, Keyroom's
 * security headers, one access-log line and one request metric by route template, and errors as
 * {@code {"error": code, "message": …}}. Everything else passes on to the servlet stack.
 */
final class CoreRoutes extends Handler.Wrapper {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("keyroom.access");

  private final List<ApiRoutes.CoreRoute> routes;
  private final boolean proxyListener;
  private final Metrics metrics;

  /**
   * {@code proxyListener}: the proxy has a listener of its own, so core routes answer only there.
   */
  CoreRoutes(List<ApiRoutes.CoreRoute> routes, boolean proxyListener, Metrics metrics) {
    this.routes = List.copyOf(routes);
    this.proxyListener = proxyListener;
    this.metrics = metrics;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getPath();
    ApiRoutes.CoreRoute route = match(path);
    if (route == null) {
      return super.handle(request, response, callback);
    }
    Callback logged = new Logged(request, response, callback, route.template());
    securityHeaders(response.getHeaders());
    try {
      check(request, path);
      route.handler().handle(request, response, logged);
    } catch (Throwable e) {
      fail(request, response, logged, route.template(), e);
    }
    return true;
  }

  private ApiRoutes.CoreRoute match(String path) {
    if (path == null) {
      return null;
    }
    for (ApiRoutes.CoreRoute r : routes) {
      if (path.startsWith(r.prefix())) {
        return r;
      }
    }
    return null;
  }

  /** The rules the Javalin side applies in its before-handler, for core routes. */
  private void check(Request request, String path) {
    boolean onProxyListener =
        HttpServer.PROXY_CONNECTOR.equals(request.getConnectionMetaData().getConnector().getName());
    if (proxyListener && !onProxyListener) {
      throw new NotFoundException(
          "the provider proxy has a listener of its own (KEYROOM_PROXY_PORT); send proxied"
              + " requests there");
    }
    try {
      Request.getCharset(request);
    } catch (IllegalArgumentException e) {
      throw new UnsupportedMediaTypeException(RequestShape.CHARSET);
    }
    if (!RequestShape.wellFormedEscapes(path)) {
      throw new InvalidInputException(null, RequestShape.PERCENT);
    }
  }

  /**
   * Answers a failure that a core route threw before it took the request over: a Keyroom error as
   * its status and code, a client's malformed input as the 4xx naming the rule, anything else as a
   * 500 with a reference logged by class only.
   */
  private static void fail(
      Request request, Response response, Callback callback, String template, Throwable e) {
    KeyroomException known = RequestShape.explain(e);
    if (known != null) {
      writeError(response, callback, known.status(), known.code(), known.getMessage());
      return;
    }
    String ref = UUID.randomUUID().toString().substring(0, 8);
    LOG.error(
        "internal error ref={} on {} {}: {}",
        ref,
        request.getMethod(),
        template,
        e.getClass().getName());
    if (LOG.isDebugEnabled()) {
      LOG.debug("internal error ref={} trace:\n{}", ref, SafeTrace.of(e));
    }
    writeError(
        response,
        callback,
        500,
        "internal",
        "internal error (ref " + ref + "); the server log has details");
  }

  /**
   * Writes {@code {"error": code, "message": …}} with {@code status} and completes {@code
   * callback}; once the response is committed it can only be broken off, so the callback fails
   * instead (the client sees a truncated response, never a complete-looking one).
   */
  static void writeError(
      Response response, Callback callback, int status, String code, String message) {
    if (response.isCommitted()) {
      callback.failed(new IOException("response already committed; " + code));
      return;
    }
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    byte[] bytes;
    try {
      bytes = Json.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      callback.failed(e);
      return;
    }
    response.setStatus(status);
    HttpFields.Mutable h = response.getHeaders();
    securityHeaders(h); // again: a handler may have reset the response
    h.put(HttpHeader.CONTENT_TYPE, "application/json");
    h.remove(HttpHeader.CONTENT_LENGTH);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /** The headers every Keyroom response carries. */
  private static void securityHeaders(HttpFields.Mutable h) {
    h.put("X-Content-Type-Options", "nosniff");
    h.put("X-Frame-Options", "DENY");
    h.put("Referrer-Policy", "no-referrer");
  }

  /** Logs and counts the request by route template once it is over, however it ended. */
  private final class Logged extends Callback.Nested {
    private final Request request;
    private final Response response;
    private final String template;
    private final long started = System.nanoTime();

    Logged(Request request, Response response, Callback callback, String template) {
      super(callback);
      this.request = request;
      this.response = response;
      this.template = template;
    }

    @Override
    public void succeeded() {
      log();
      super.succeeded();
    }

    @Override
    public void failed(Throwable x) {
      log();
      super.failed(x);
    }

    private void log() {
      String status = Integer.toString(response.getStatus());
      metrics.increment(
          "keyroom_http_requests_total",
          "method",
          request.getMethod(),
          "route",
          template,
          "status",
          status);
      if (ACCESS.isInfoEnabled()) {
        ACCESS.info(
            "{} {} {} {}ms",
            request.getMethod(),
            template,
            status,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      }
    }
  }
}
