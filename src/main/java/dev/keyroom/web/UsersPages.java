package dev.keyroom.web;

import dev.keyroom.audit.AuditLog;
import dev.keyroom.audit.AuditRecord;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.session.SessionId;
import dev.keyroom.session.SessionInfo;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.ApiTokens;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TokenId;
import dev.keyroom.tenancy.User;
import dev.keyroom.tenancy.UserId;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Users (admins): the tenant's people with role, status and last sign-in; invite one (a one-time
 * password shown once), a new one-time password for an account nobody has used yet, change a role,
 * disable someone (through {@link Tenancy#disable}, which ends their tokens, web sign-ins and live
 * sessions in one transaction); and the platform's service tokens (list, revoke). The rules are the
 * API's: the services refuse what the API refuses (the last active admin, a one-time password for
 * an account in use).
 */
public final class UsersPages {
  /** A person as the list shows them. */
  public record UserRow(
      User user, boolean you, Long lastSignIn, boolean invitable, int liveSessions) {}

  /** A one-time password after an invitation: {@code password} is null once it has been shown. */
  public record OneTime(User user, Reveals.Revealed password, boolean invited) {}

  /** The disable confirmation: the person and the live sessions that will end. */
  public record DisableImpact(User user, boolean you, int liveSessions, List<String> workrooms) {}

  private final WebRouter router;
  private final Tenancy tenancy;
  private final Passwords passwords;
  private final ApiTokens tokens;
  private final Workrooms workrooms;
  private final Sessions sessions;
  private final AuditLog audit;
  private final Reveals reveals;
  private final Supplier<String> publicUrl;
  private final Clock clock;

  UsersPages(
      WebRouter router,
      Tenancy tenancy,
      Passwords passwords,
      ApiTokens tokens,
      Workrooms workrooms,
      Sessions sessions,
      AuditLog audit,
      Reveals reveals,
      Supplier<String> publicUrl,
      Clock clock) {
    this.router = router;
    this.tenancy = tenancy;
    this.passwords = passwords;
    this.tokens = tokens;
    this.workrooms = workrooms;
    this.sessions = sessions;
    this.audit = audit;
    this.reveals = reveals;
    this.publicUrl = publicUrl;
    this.clock = clock;
  }

  void register() {
    router.page("/users", WebRouter.Access.ADMIN, (ctx, u) -> list(ctx, u, 200, null, ""));
    router.action("/users", WebRouter.Access.ADMIN, this::invite);
    router.action("/users/{id}/one-time-password", WebRouter.Access.ADMIN, this::oneTimePassword);
    router.action("/users/{id}/role", WebRouter.Access.ADMIN, this::role);
    router.page("/users/{id}/disable", WebRouter.Access.ADMIN, this::confirmDisable);
    router.action("/users/{id}/disable", WebRouter.Access.ADMIN, this::disable);
    router.action(
        "/users/service-tokens/{id}/revoke", WebRouter.Access.ADMIN, this::revokeServiceToken);
  }

  private void list(Context ctx, WebUser user, int status, String error, String formName) {
    Map<UserId, List<SessionInfo>> live = liveByUser(user);
    List<UserRow> rows =
        tenancy.users(user.tenant()).stream()
            .map(
                u ->
                    new UserRow(
                        u,
                        u.id().equals(user.id()),
                        lastSignIn(user, u.id()),
                        passwords.invitable(user.tenant(), u.id()),
                        live.getOrDefault(u.id(), List.of()).size()))
            .toList();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("users", rows);
    m.put("oneTime", oneTime(ctx, user));
    m.put("notice", notice(ctx, user));
    m.put("error", error);
    m.put("formName", formName);
    m.put("serviceTokens", tokens.list(user.tenant(), null));
    m.put("signInUrl", publicUrl.get() + "/signin");
    m.put("now", clock.millis());
    router.render(ctx, user, status, "users.jte", "Users", "users", m);
  }

  /** The one-time password kept by the post that redirected here, shown now and never again. */
  private OneTime oneTime(Context ctx, WebUser user) {
    String invited = ctx.queryParam("invited");
    String issued = ctx.queryParam("password");
    String raw = invited != null ? invited : issued;
    if (raw == null) {
      return null;
    }
    UserId id = UserId.parse(raw);
    User who = tenancy.user(user.tenant(), id);
    Optional<Reveals.Revealed> pw =
        reveals.take(
            Reveals.browserSession(ctx.cookie(WebRouter.SESSION_COOKIE)),
            user.tenant(),
            Reveals.Kind.ONE_TIME_PASSWORD,
            id.value());
    return new OneTime(who, pw.orElse(null), invited != null);
  }

  private String notice(Context ctx, WebUser user) {
    String raw = ctx.queryParam("user");
    Optional<User> subject =
        raw == null
            ? Optional.empty()
            : tenancy.users(user.tenant()).stream()
                .filter(u -> u.id().value().equals(raw))
                .findFirst();
    String who = subject.map(User::name).orElse("The user");
    return switch (String.valueOf(ctx.queryParam("done"))) {
      case "disabled" ->
          who
              + " is disabled. Their API tokens are refused, their web sign-ins ended, and "
              + Display.plural(count(ctx.queryParam("ended")), "live session", "live sessions")
              + " of theirs ended.";
      case "role" -> who + " is now " + subject.map(u -> u.role().wire()).orElse("changed") + ".";
      case "revoked" ->
          "Service token revoked. The platform's calls with it are refused from now on.";
      default -> null;
    };
  }

  private void invite(Context ctx, WebUser user) {
    String name = WebRouter.field(ctx, "name");
    String roleField = WebRouter.field(ctx, "role");
    User created;
    try {
      Role role = roleField == null ? Role.MEMBER : Role.parse(roleField, "role");
      created = tenancy.createUser(user.tenant(), name, role, user.auditName());
    } catch (InvalidInputException | ConflictException e) {
      list(ctx, user, e.status(), e.getMessage(), name == null ? "" : name);
      return;
    }
    issue(ctx, user, created.id(), "invited");
  }

  private void oneTimePassword(Context ctx, WebUser user) {
    UserId id = UserId.parse(ctx.pathParam("id"));
    tenancy.user(user.tenant(), id);
    try {
      issue(ctx, user, id, "password");
    } catch (ConflictException e) {
      list(ctx, user, e.status(), e.getMessage(), "");
    }
  }

  /** Issues the invitation's one-time password, keeps it for the next page only, and goes there. */
  private void issue(Context ctx, WebUser user, UserId id, String param) {
    String pw = passwords.issueInvitation(user.tenant(), id, user.auditName());
    reveals.keep(
        Reveals.browserSession(ctx.cookie(WebRouter.SESSION_COOKIE)),
        user.tenant(),
        Reveals.Kind.ONE_TIME_PASSWORD,
        id.value(),
        pw);
    ctx.redirect("/users?" + param + "=" + id.value() + "#one-time");
  }

  private void role(Context ctx, WebUser user) {
    UserId id = UserId.parse(ctx.pathParam("id"));
    try {
      String raw = WebRouter.field(ctx, "role");
      if (raw == null) {
        throw new InvalidInputException("role", "pick admin or member");
      }
      tenancy.changeRole(user.tenant(), id, Role.parse(raw, "role"), user.auditName());
    } catch (InvalidInputException | ConflictException e) {
      list(ctx, user, e.status(), e.getMessage(), "");
      return;
    }
    // Someone who made themselves a member may no longer open this page.
    boolean stillAdmin =
        !id.equals(user.id()) || tenancy.user(user.tenant(), id).role() == Role.ADMIN;
    ctx.redirect(stillAdmin ? "/users?done=role&user=" + id.value() : "/");
  }

  private void confirmDisable(Context ctx, WebUser user) {
    User who = tenancy.user(user.tenant(), UserId.parse(ctx.pathParam("id")));
    List<SessionInfo> live = liveByUser(user).getOrDefault(who.id(), List.of());
    Map<String, String> names = new LinkedHashMap<>();
    workrooms.list(user.tenant()).forEach(w -> names.put(w.id().value(), w.name()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "impact",
        new DisableImpact(
            who,
            who.id().equals(user.id()),
            live.size(),
            live.stream()
                .map(s -> names.getOrDefault(s.workroom().value(), s.workroom().value()))
                .distinct()
                .toList()));
    router.render(ctx, user, 200, "user-disable.jte", "Disable " + who.name(), "users", m);
  }

  private void disable(Context ctx, WebUser user) {
    UserId id = UserId.parse(ctx.pathParam("id"));
    List<SessionId> before =
        liveByUser(user).getOrDefault(id, List.of()).stream().map(SessionInfo::id).toList();
    try {
      tenancy.disable(user.tenant(), id, user.auditName());
    } catch (ConflictException e) {
      list(ctx, user, e.status(), e.getMessage(), "");
      return;
    }
    long now = clock.millis();
    long ended = before.stream().filter(s -> !sessions.get(user.tenant(), s).isLive(now)).count();
    // Disabling oneself ends one's own web sign-in too.
    ctx.redirect(
        id.equals(user.id())
            ? "/signin"
            : "/users?done=disabled&user=" + id.value() + "&ended=" + ended);
  }

  private void revokeServiceToken(Context ctx, WebUser user) {
    tokens.revoke(user.tenant(), null, TokenId.parse(ctx.pathParam("id")), user.auditName());
    ctx.redirect("/users?done=revoked#service-tokens");
  }

  /** Live sessions of the tenant, by the person they are for. */
  private Map<UserId, List<SessionInfo>> liveByUser(WebUser user) {
    Map<UserId, List<SessionInfo>> out = new LinkedHashMap<>();
    for (Workroom w : workrooms.list(user.tenant())) {
      for (SessionInfo s : sessions.live(user.tenant(), w.id())) {
        out.computeIfAbsent(s.user(), k -> new ArrayList<>()).add(s);
      }
    }
    return out;
  }

  private Long lastSignIn(WebUser viewer, UserId id) {
    List<AuditRecord> last =
        audit.query(
            viewer.tenant(),
            new AuditLog.Filter(null, "user.signin", id.value(), null, null, null, null, null, 1));
    return last.isEmpty() ? null : last.get(0).at();
  }

  private static int count(String raw) {
    return raw != null && raw.matches("\\d{1,6}") ? Integer.parseInt(raw) : 0;
  }
}
