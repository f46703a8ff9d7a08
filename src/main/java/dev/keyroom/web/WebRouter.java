package dev.keyroom.web;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.HttpServer;
import dev.keyroom.api.RequestShape;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.logging.SafeTrace;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers UI pages and form actions. Every response carries a strict CSP; every page needs a
 * signed-in person (admins-only pages say so); every POST needs the session's CSRF token.
 */
final class WebRouter {
  private static final Logger LOG = LoggerFactory.getLogger(WebRouter.class);
  static final String SESSION_COOKIE = "keyroom_session";
  static final String CSRF_FIELD = "_csrf";
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'";

  /** Who may use a route. */
  enum Access {
    MEMBER,
    ADMIN
  }

  @FunctionalInterface
  interface Handler {
    void handle(Context ctx, WebUser user) throws Exception;
  }

  private final RoutesConfig routes;
  private final BrowserSessions sessions;
  private final Views views;

  WebRouter(ApiRoutes api, BrowserSessions sessions, Views views) {
    this.routes = api.raw();
    this.sessions = sessions;
    this.views = views;
  }

  Views views() {
    return views;
  }

  /** A route that needs no browser session (sign-in, assets). */
  void open(HandlerType method, String path, io.javalin.http.Handler h) {
    routes.addHttpHandler(
        method,
        path,
        ctx -> {
          secure(ctx);
          try {
            h.handle(ctx);
          } catch (KeyroomException e) {
            error(ctx, null, e.status(), e.getMessage());
          }
        });
  }

  void page(String path, Access access, Handler h) {
    routes.addHttpHandler(HandlerType.GET, path, ctx -> run(ctx, access, false, h));
  }

  void action(String path, Access access, Handler h) {
    routes.addHttpHandler(HandlerType.POST, path, ctx -> run(ctx, access, true, h));
  }

  private void run(Context ctx, Access access, boolean post, Handler h) throws Exception {
    secure(ctx);
    WebUser user = sessions.find(ctx.cookie(SESSION_COOKIE)).orElse(null);
    if (user == null) {
      if (post) {
        error(
            ctx,
            null,
            401,
            "Your session has ended. Sign in again, then repeat what you were doing.");
      } else if ("cross-site".equals(ctx.header("Sec-Fetch-Site"))
          && ctx.cookie(SESSION_COOKIE) == null) {
        // Arriving from another site (e.g. back from an OAuth provider): the browser withholds the
        // SameSite=Strict cookie on this navigation. Continue on our own origin, where it is sent.
        continueSameSite(ctx);
      } else {
        ctx.redirect(
            "/signin?next=" + java.net.URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8));
      }
      return;
    }
    if (post && !sameToken(user.csrf(), ctx.formParam(CSRF_FIELD))) {
      LOG.warn("refused a form post without a valid CSRF token on {}", HttpServer.route(ctx));
      error(
          ctx,
          user,
          403,
          "This form could not be accepted (its security token is missing or stale)."
              + " Reload the page and submit it again.");
      return;
    }
    if (user.mustChangePassword()
        && !ctx.path().startsWith("/profile/password")
        && !ctx.path().equals("/signout")) {
      ctx.redirect("/profile/password");
      return;
    }
    if (access == Access.ADMIN && !user.isAdmin()) {
      error(
          ctx,
          user,
          403,
          "This page is for admins of "
              + user.tenantName()
              + ". Ask an admin if you need a change here.");
      return;
    }
    try {
      h.handle(ctx, user);
    } catch (KeyroomException e) {
      error(ctx, user, e.status(), e.getMessage());
    } catch (RuntimeException e) {
      KeyroomException malformed = RequestShape.explain(e);
      if (malformed != null) {
        error(ctx, user, malformed.status(), malformed.getMessage());
        return;
      }
      String ref = UUID.randomUUID().toString().substring(0, 8);
      LOG.error(
          "web page failed ref={} on {} {}: {}",
          ref,
          ctx.method().name(),
          HttpServer.route(ctx),
          e.getClass().getName());
      if (LOG.isDebugEnabled()) {
        LOG.debug("web page failed ref={} trace:\n{}", ref, SafeTrace.of(e));
      }
      error(
          ctx,
          user,
          500,
          "Something went wrong on our side (reference " + ref + "). The server log has details.");
    }
  }

  void render(
      Context ctx,
      WebUser user,
      int status,
      String template,
      String title,
      String nav,
      Map<String, Object> model) {
    Map<String, Object> params = new LinkedHashMap<>(model);
    params.put("frame", new Frame(title, user, nav, user == null ? "" : user.csrf()));
    views.render(ctx, status, template, params);
  }

  void error(Context ctx, WebUser user, int status, String message) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("status", status);
    model.put("message", message);
    render(
        ctx,
        user,
        status,
        "error.jte",
        status == 403 ? "Not allowed" : status == 404 ? "Not found" : "Something needs fixing",
        "",
        model);
  }

  private void continueSameSite(Context ctx) {
    String target = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("target", SignInPages.safeNext(target));
    render(ctx, null, 200, "continue.jte", "Continuing", "", model);
  }

  static void secure(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("Cache-Control", "no-store");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cross-Origin-Opener-Policy", "same-origin");
  }

  static boolean sameToken(String expected, String given) {
    return given != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  /** A form field, trimmed; null when missing or blank. */
  static String field(Context ctx, String name) {
    String v = ctx.formParam(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  static void requireAdmin(WebUser user) {
    if (!user.isAdmin()) {
      throw new ForbiddenException("this needs the admin role");
    }
  }
}
