package dev.keyroom.api;

import dev.keyroom.tenancy.Principal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.jetty.server.Request;

/**
 * Registers routes and remembers them (the OpenAPI test compares the two). Authenticated routes get
 * the caller's {@link Principal}; there is no way to register one that skips authentication by
 * accident.
 */
public final class ApiRoutes {
  /** A feature's routes. */
  public interface Module {
    void register(ApiRoutes routes);
  }

  /** A handler that runs only for an authenticated caller. */
  @FunctionalInterface
  public interface AuthedHandler {
    void handle(Context ctx, Principal caller) throws Exception;
  }

  /** A registered route. */
  public record Route(String method, String path, boolean authenticated) {}

  /**
   * Every path under {@code prefix}, served by a core Jetty handler ahead of the servlet and
   * Javalin stack (the provider proxy's hot path). {@code template} names the route in the access
   * log and metrics. The handler authenticates its callers itself; what it throws before it takes
   * the request over is answered as every route's errors are.
   */
  public record CoreRoute(String prefix, String template, Request.Handler handler) {}

  private final RoutesConfig config;
  private final Authenticator authenticator;
  private final List<Route> routes = new ArrayList<>();
  private final List<CoreRoute> core = new ArrayList<>();

  ApiRoutes(RoutesConfig config, Authenticator authenticator) {
    this.config = config;
    this.authenticator = authenticator;
  }

  public void get(String path, AuthedHandler h) {
    add(HandlerType.GET, path, h);
  }

  public void post(String path, AuthedHandler h) {
    add(HandlerType.POST, path, h);
  }

  public void put(String path, AuthedHandler h) {
    add(HandlerType.PUT, path, h);
  }

  public void patch(String path, AuthedHandler h) {
    add(HandlerType.PATCH, path, h);
  }

  public void delete(String path, AuthedHandler h) {
    add(HandlerType.DELETE, path, h);
  }

  /** A route without bearer authentication (health, metrics, the OpenAPI document, the proxy). */
  public void unauthenticated(HandlerType method, String path, Handler h) {
    routes.add(new Route(method.name(), path, false));
    config.addHttpHandler(method, path, h);
  }

  /** Direct access for routes with their own authentication (the proxy, session tokens). */
  public RoutesConfig raw() {
    return config;
  }

  /** Serves every path under {@code prefix} with a core Jetty handler (see {@link CoreRoute}). */
  public void core(String prefix, String template, Request.Handler handler) {
    core.add(new CoreRoute(prefix, template, handler));
  }

  List<CoreRoute> coreRoutes() {
    return Collections.unmodifiableList(core);
  }

  public List<Route> routes() {
    return Collections.unmodifiableList(routes);
  }

  /** The authenticated caller of a request (bearer token in Authorization). */
  public Principal authenticate(Context ctx) {
    return authenticator.principal(ctx);
  }

  /** Checks every kind of credential; routes with their own token kinds use it directly. */
  public Authenticator authenticator() {
    return authenticator;
  }

  private void add(HandlerType method, String path, AuthedHandler h) {
    routes.add(new Route(method.name(), path, true));
    config.addHttpHandler(method, path, ctx -> h.handle(ctx, authenticate(ctx)));
  }
}
