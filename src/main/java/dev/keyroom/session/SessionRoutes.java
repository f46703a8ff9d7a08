package dev.keyroom.session;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Authenticator;
import dev.keyroom.api.Json;
import dev.keyroom.api.PageParams;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Page;
import dev.keyroom.tenancy.Principal;
import dev.keyroom.tenancy.UserId;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sessions over HTTP. Starting and listing use the ordinary bearer tokens; the environment, the
 * event stream, the git credential and ending also accept the session's own {@code kr_sess_} token,
 * which is handled here (it is not an API token).
 */
public final class SessionRoutes implements ApiRoutes.Module {
  /** Deliveries on a page of the ledger when the caller names no limit. */
  static final int DELIVERIES_PAGE = 100;

  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

  private final Sessions sessions;
  private final Workrooms workrooms;
  private final SessionEnvironment environment;
  private final SessionEventStream stream;
  private final SessionPolicy policy;

  public SessionRoutes(
      Sessions sessions,
      Workrooms workrooms,
      SessionEnvironment environment,
      SessionEvents events,
      EventStreamLimits streamLimits,
      SessionPolicy policy) {
    this.sessions = sessions;
    this.workrooms = workrooms;
    this.environment = environment;
    this.stream = new SessionEventStream(sessions, events, streamLimits);
    this.policy = policy;
  }

  record StartBody(String userId) {}

  record GitCredentialBody(String protocol, String host, String path, String username) {}

  record PolicyBody(String onRevoke) {}

  /** Who called a session route: the session itself (its token) or an API principal. */
  private record Caller(SessionInfo session, Principal principal) {
    String auditName() {
      return session != null ? "session:" + session.id().value() : principal.auditName();
    }
  }

  @Override
  public void register(ApiRoutes r) {
    r.post(
        "/api/v1/workrooms/{id}/sessions",
        (ctx, p) -> {
          WorkroomId workroom = WorkroomId.parse(ctx.pathParam("id"));
          StartBody body = Json.readOptional(ctx, StartBody.class, new StartBody(null));
          UserId user;
          if (p.service()) {
            if (body.userId() == null) {
              throw new InvalidInputException(
                  "userId", "is required with the service token: name the user the session is for");
            }
            user = UserId.parse(body.userId());
          } else {
            user = p.requireUser("starting a session");
            if (body.userId() != null && !body.userId().equals(user.value())) {
              throw new ForbiddenException(
                  "a user starts sessions only for themselves; the platform's service token starts them for others");
            }
          }
          Sessions.Started started =
              sessions.start(
                  p.tenant(),
                  workroom,
                  user,
                  p.service() ? StartedBy.PLATFORM : StartedBy.SELF,
                  p.auditName(),
                  Workrooms.Viewer.of(p));
          Map<String, Object> out = view(started.session());
          out.put("sessionToken", started.token());
          Json.write(ctx, 201, out);
        });
    r.get(
        "/api/v1/workrooms/{id}/sessions",
        (ctx, p) -> {
          WorkroomId workroom = visibleWorkroom(p, ctx);
          List<SessionInfo> live =
              sessions.live(p.tenant(), workroom).stream()
                  .filter(s -> p.isAdmin() || p.service() || s.user().equals(p.user()))
                  .toList();
          Json.write(ctx, 200, Map.of("sessions", live.stream().map(SessionRoutes::view).toList()));
        });
    r.get("/api/v1/sessions/{id}", (ctx, p) -> Json.write(ctx, 200, view(readable(p, ctx))));
    r.get(
        "/api/v1/sessions/{id}/deliveries",
        (ctx, p) -> {
          SessionInfo s = readable(p, ctx);
          PageParams paging = PageParams.read(ctx, DELIVERIES_PAGE, DeliveryLedger.MAX_PAGE);
          Page<DeliveryLedger.Delivery> page =
              sessions
                  .ledger()
                  .page(
                      p.tenant(),
                      s.id(),
                      sessions.ledger().start(p.tenant(), s.id(), paging),
                      paging.limit());
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("deliveries", page.rows());
          body.put("next", page.hasNext() ? page.last().id() : null);
          body.put("prev", page.hasPrevious() ? page.first().id() : null);
          Json.write(ctx, 200, body);
        });
    r.unauthenticated(
        HandlerType.GET,
        "/api/v1/session",
        ctx -> {
          Json.write(
              ctx,
              200,
              view(
                  r.authenticator()
                      .session(
                          ctx,
                          "this route describes the calling session: send its kr_sess_ token")));
        });
    r.unauthenticated(
        HandlerType.GET,
        "/api/v1/sessions/{id}/environment",
        ctx -> {
          Caller c = caller(r, ctx, false);
          SessionInfo s =
              c.session() != null
                  ? c.session()
                  : sessions.requireLive(sessions.get(c.principal().tenant(), id(ctx)));
          if (c.session() == null && s.startedBy() == StartedBy.SELF) {
            // Its user started it: it holds their own integrations and its token, which are theirs,
            // not the platform's.
            throw new ForbiddenException(
                "this session was started by its user; only the session's own token fetches its"
                    + " environment (the platform fetches the environments of sessions it started)");
          }
          SessionEnvironment.Environment env = environment.fetch(s, c.auditName());
          if (wantsDotenv(ctx)) {
            ctx.status(200)
                .contentType("text/plain; charset=utf-8")
                .result(Dotenv.render(env.variables()));
          } else {
            Json.write(ctx, 200, envView(env));
          }
        });
    r.unauthenticated(
        HandlerType.GET,
        "/api/v1/sessions/{id}/events",
        ctx -> {
          Caller c = caller(r, ctx, false);
          SessionInfo s =
              c.session() != null
                  ? c.session()
                  : sessions.requireLive(sessions.get(c.principal().tenant(), id(ctx)));
          stream.serve(ctx, s);
        });
    r.unauthenticated(
        HandlerType.DELETE,
        "/api/v1/sessions/{id}",
        ctx -> {
          Caller c = caller(r, ctx, true);
          SessionInfo s =
              c.session() != null ? c.session() : sessions.get(c.principal().tenant(), id(ctx));
          sessions.end(
              s.tenant(),
              s.id(),
              c.session() != null ? "ended by its launcher" : "ended by " + c.auditName(),
              c.auditName());
          ctx.status(204);
        });
    r.unauthenticated(
        HandlerType.POST,
        "/api/v1/sessions/{id}/git-credential",
        ctx -> {
          SessionInfo s =
              sameSession(
                  r.authenticator()
                      .session(
                          ctx,
                          "the git credential is given only to the session itself: send its kr_sess_ token"),
                  ctx);
          GitCredentialBody body = Json.read(ctx, GitCredentialBody.class);
          requireSafeTransport(body);
          Optional<SecretValue> secret =
              environment.gitCredential(
                  s, body.protocol(), body.host(), "session:" + s.id().value());
          if (secret.isEmpty()) {
            throw new NotFoundException(
                "the session's user has no active git token in Profile → Integrations");
          }
          Map<String, String> out = new LinkedHashMap<>();
          out.put(
              "username",
              body.username() == null || body.username().isBlank()
                  ? "x-access-token"
                  : body.username());
          out.put("password", secret.get().revealUtf8());
          Json.write(ctx, 200, out);
        });
    r.get(
        "/api/v1/session-policy",
        (ctx, p) -> Json.write(ctx, 200, Map.of("onRevoke", policy.onRevoke(p.tenant()).wire)));
    r.put(
        "/api/v1/session-policy",
        (ctx, p) -> {
          p.requireAdmin("changing the session policy");
          PolicyBody body = Json.read(ctx, PolicyBody.class);
          Json.write(
              ctx,
              200,
              Map.of(
                  "onRevoke",
                  policy.set(
                          p.tenant(),
                          SessionPolicy.OnRevoke.parse(body.onRevoke(), "onRevoke"),
                          p.auditName())
                      .wire));
        });
  }

  /**
   * The path's workroom if the caller may see it: a non-admin sees only their workrooms (else 404).
   */
  private WorkroomId visibleWorkroom(Principal p, Context ctx) {
    WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
    workrooms.get(p.tenant(), id, Workrooms.Viewer.of(p));
    return id;
  }

  private static void requireSafeTransport(GitCredentialBody body) {
    if (body.host() == null || body.host().isBlank()) {
      throw new InvalidInputException("host", "is required");
    }
    if ("https".equals(body.protocol())) {
      return;
    }
    String host = body.host().replaceFirst(":\\d+$", "");
    if ("http".equals(body.protocol()) && LOOPBACK.contains(host)) {
      return;
    }
    throw new ForbiddenException(
        "the git token is sent only over https (or plain http to this machine's loopback)");
  }

  private Caller caller(ApiRoutes r, Context ctx, boolean usersToo) {
    if (Authenticator.hasSessionToken(ctx)) {
      return new Caller(
          sameSession(r.authenticator().session(ctx, "send the session's kr_sess_ token"), ctx),
          null);
    }
    Principal p = r.authenticate(ctx);
    if (p.service()) {
      return new Caller(null, p);
    }
    if (usersToo) {
      SessionInfo s = sessions.get(p.tenant(), id(ctx));
      if (p.isAdmin() || s.user().equals(p.user())) {
        return new Caller(null, p);
      }
      throw new ForbiddenException("ending another user's session requires the admin role");
    }
    throw new ForbiddenException(
        "this route takes the platform's service token or the session's own token");
  }

  private static SessionInfo sameSession(SessionInfo s, Context ctx) {
    if (!s.id().equals(id(ctx))) {
      throw new ForbiddenException("this session token belongs to another session");
    }
    return s;
  }

  private SessionInfo readable(Principal p, Context ctx) {
    SessionInfo s = sessions.get(p.tenant(), id(ctx));
    if (!p.isAdmin() && !p.service() && !s.user().equals(p.user())) {
      throw new NotFoundException("no session with that id");
    }
    return s;
  }

  private static SessionId id(Context ctx) {
    return SessionId.parse(ctx.pathParam("id"));
  }

  private static boolean wantsDotenv(Context ctx) {
    String format = ctx.queryParam("format");
    if (format != null) {
      if (!format.equals("dotenv") && !format.equals("json")) {
        throw new InvalidInputException("format", "must be 'json' or 'dotenv'");
      }
      return format.equals("dotenv");
    }
    String accept = ctx.header("Accept");
    return accept != null && accept.startsWith("text/plain");
  }

  static Map<String, Object> view(SessionInfo s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id().value());
    m.put("workroomId", s.workroom().value());
    m.put("userId", s.user().value());
    m.put("startedAt", s.startedAt());
    m.put("expiresAt", s.expiresAt());
    m.put("idleTimeoutMs", s.idleTimeoutMs());
    m.put("lastSeenAt", s.lastSeenAt());
    m.put("endedAt", s.endedAt());
    m.put("endReason", s.endReason());
    m.put("startedBy", s.startedBy().wire);
    return m;
  }

  private static Map<String, Object> envView(SessionEnvironment.Environment env) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sessionId", env.session().id().value());
    m.put("expiresAt", env.session().expiresAt());
    m.put(
        "variables",
        env.variables().stream()
            .map(
                v -> {
                  Map<String, Object> vm = new LinkedHashMap<>();
                  vm.put("name", v.name());
                  vm.put("value", v.value().revealUtf8());
                  vm.put("secret", v.secret());
                  vm.put(
                      "credentialId", v.source() == null ? null : v.source().credential().value());
                  vm.put("version", v.source() == null ? null : v.source().version());
                  return vm;
                })
            .toList());
    m.put("skipped", env.skipped());
    return m;
  }
}
