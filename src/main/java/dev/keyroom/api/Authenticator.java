package dev.keyroom.api;

import dev.keyroom.error.RateLimitedException;
import dev.keyroom.error.UnauthenticatedException;
import dev.keyroom.session.SessionInfo;
import dev.keyroom.session.Sessions;
import dev.keyroom.tenancy.ApiTokens;
import dev.keyroom.tenancy.Principal;
import dev.keyroom.tenancy.TokenFormat;
import io.javalin.http.Context;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The one place every credential a caller presents is checked: user ({@code kr_u_}) and service
 * ({@code kr_s_}) API tokens, session tokens ({@code kr_sess_}) and placeholders ({@code kr_ph_},
 * checked by the proxy, which reports its refusals here).
 *
 * <p>Every failure counts in {@code keyroom_auth_failures_total} (by kind and reason) and against
 * the caller's address in the {@link FailedAuthLimiter}. Only failures are limited: a valid
 * credential is accepted even from an address that is over its limit, so one bad client behind a
 * shared egress or reverse proxy cannot lock out everybody else; its further failures get 429.
 */
public final class Authenticator {
  /** The kind of credential, as a metrics label. */
  public enum Kind {
    API_TOKEN("api_token"),
    SESSION("session"),
    PLACEHOLDER("placeholder"),
    METRICS("metrics");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  private final ApiTokens tokens;
  private final Sessions sessions;
  private final FailedAuthLimiter limiter;
  private final Metrics metrics;

  public Authenticator(
      ApiTokens tokens, Sessions sessions, FailedAuthLimiter limiter, Metrics metrics) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.limiter = limiter;
    this.metrics = metrics;
    metrics.describe("keyroom_auth_failures_total", "Rejected credentials by kind and reason");
  }

  /** The caller of an API route: a {@code kr_u_} or {@code kr_s_} bearer token. */
  public Principal principal(Context ctx) {
    String token = bearer(ctx);
    if (token == null) {
      throw refused(
          ctx,
          Kind.API_TOKEN,
          "missing",
          new UnauthenticatedException(
              "missing bearer token: send 'Authorization: Bearer <token>'"));
    }
    return verify(ctx, Kind.API_TOKEN, () -> tokens.authenticate(token));
  }

  /**
   * The session whose {@code kr_sess_} token is the bearer token. {@code missing} says what the
   * route wants when no session token was sent.
   */
  public SessionInfo session(Context ctx, String missing) {
    String token = bearer(ctx);
    if (token == null || !token.startsWith(TokenFormat.SESSION)) {
      throw refused(ctx, Kind.SESSION, "missing", new UnauthenticatedException(missing));
    }
    return verify(ctx, Kind.SESSION, () -> sessions.authenticateToken(token));
  }

  /** True when the bearer token is a session token (the route then calls {@link #session}). */
  public static boolean hasSessionToken(Context ctx) {
    String token = bearer(ctx);
    return token != null && token.startsWith(TokenFormat.SESSION);
  }

  /**
   * Runs {@code check}; an {@link UnauthenticatedException} from it is a failed authentication of
   * {@code kind}: counted, limited, and rethrown (or turned into 429 once the address is over its
   * limit). Anything else — including success — passes through untouched.
   */
  public <T> T verify(Context ctx, Kind kind, Supplier<T> check) {
    try {
      return check.get();
    } catch (UnauthenticatedException e) {
      throw refused(ctx, kind, "rejected", e);
    }
  }

  /** The same as {@link #verify} for checks that return nothing (the proxy's placeholder check). */
  public void verify(Context ctx, Kind kind, Runnable check) {
    verify(
        ctx,
        kind,
        () -> {
          check.run();
          return null;
        });
  }

  private RuntimeException refused(
      Context ctx, Kind kind, String reason, UnauthenticatedException e) {
    return refused(ctx.ip(), kind, reason, e, ctx::header);
  }

  /**
   * A failed authentication from {@code address} for handlers outside Javalin (the proxy's core
   * handler): counted, limited, and returned to throw — a 429 with {@code Retry-After} once the
   * address is over its limit. {@code header} sets a response header.
   */
  public RuntimeException refused(
      String address, Kind kind, UnauthenticatedException e, BiConsumer<String, String> header) {
    return refused(address, kind, "rejected", e, header);
  }

  private RuntimeException refused(
      String address,
      Kind kind,
      String reason,
      UnauthenticatedException e,
      BiConsumer<String, String> header) {
    metrics.increment("keyroom_auth_failures_total", "kind", kind.label, "reason", reason);
    long retry = limiter.retryAfterSeconds(address);
    limiter.failed(address);
    if (retry > 0) {
      header.accept("Retry-After", Long.toString(retry));
      return new RateLimitedException(
          "too many failed sign-in attempts from this address; retry in "
              + retry
              + " s (valid credentials are still accepted)");
    }
    if (kind == Kind.API_TOKEN || kind == Kind.SESSION) {
      header.accept(
          "WWW-Authenticate",
          "missing".equals(reason)
              ? "Bearer realm=\"keyroom\""
              : "Bearer realm=\"keyroom\", error=\"invalid_token\"");
    }
    return e;
  }

  /** The bearer token of a request, or null when there is none. */
  public static String bearer(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return header.substring(7).trim();
  }
}
