package dev.keyroom.web;

import dev.keyroom.api.FailedAuthLimiter;
import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.tenancy.TokenFormat;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.SameSite;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Sign-in with organisation, user name and password; sign-out; changing one's password. A
 * pre-session cookie guards the sign-in form against cross-site posts (login CSRF). Failed attempts
 * are limited per address and per account.
 */
final class SignInPages {
  static final String PRE_COOKIE = "keyroom_signin";
  private static final int SESSION_SECONDS = 12 * 3600;

  private final WebRouter router;
  private final Passwords passwords;
  private final BrowserSessions sessions;
  private final AuditLog audit;
  private final FailedAuthLimiter byAddress;
  private final FailedAuthLimiter byAccount;
  private final boolean secureCookies;
  private final dev.keyroom.tenancy.Tenancy tenancy;

  SignInPages(
      WebRouter router,
      Passwords passwords,
      BrowserSessions sessions,
      AuditLog audit,
      FailedAuthLimiter byAddress,
      FailedAuthLimiter byAccount,
      boolean secureCookies,
      dev.keyroom.tenancy.Tenancy tenancy) {
    this.router = router;
    this.passwords = passwords;
    this.sessions = sessions;
    this.audit = audit;
    this.byAddress = byAddress;
    this.byAccount = byAccount;
    this.secureCookies = secureCookies;
    this.tenancy = tenancy;
  }

  void register() {
    router.open(HandlerType.GET, "/signin", this::form);
    router.open(HandlerType.POST, "/signin", this::signIn);
    router.open(HandlerType.POST, "/signout", this::signOut);
    router.page(
        "/profile/password",
        WebRouter.Access.MEMBER,
        (ctx, user) -> passwordForm(ctx, user, null, 200));
    router.action("/profile/password", WebRouter.Access.MEMBER, this::changePassword);
  }

  private void form(Context ctx) {
    if (sessions.find(ctx.cookie(WebRouter.SESSION_COOKIE)).isPresent()) {
      ctx.redirect(safeNext(ctx.queryParam("next")));
      return;
    }
    showForm(ctx, 200, null, "", "");
  }

  /**
   * The organisation's name when this Keyroom serves exactly one (a single-organisation install),
   * else "".
   */
  private String onlyTenant() {
    var all = tenancy.tenants();
    return all.size() == 1 ? all.get(0).name() : "";
  }

  private void showForm(Context ctx, int status, String error, String tenant, String name) {
    String pre = TokenFormat.generate("kr_pre_");
    ctx.cookie(cookie(PRE_COOKIE, pre, 900));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", error);
    m.put("tenant", tenant.isEmpty() ? onlyTenant() : tenant);
    m.put("name", name);
    m.put(
        "next",
        safeNext(ctx.queryParam("next") != null ? ctx.queryParam("next") : ctx.formParam("next")));
    m.put("formToken", BrowserSessions.csrfFor(pre));
    router.render(ctx, null, status, "signin.jte", "Sign in", "", m);
  }

  private void signIn(Context ctx) {
    String pre = ctx.cookie(PRE_COOKIE);
    String tenant =
        Optional.ofNullable(ctx.formParam("tenant")).orElse("").trim().toLowerCase(Locale.ROOT);
    String name = Optional.ofNullable(ctx.formParam("name")).orElse("").trim();
    if (pre == null
        || !WebRouter.sameToken(
            BrowserSessions.csrfFor(pre), ctx.formParam(WebRouter.CSRF_FIELD))) {
      showForm(
          ctx,
          403,
          "This sign-in form expired or did not come from this site. Please try again.",
          tenant,
          name);
      return;
    }
    String account = tenant + "/" + name;
    // One account's guesses stop before any work (even a right password waits: guessing must not
    // go on). The address limit counts failures only: a right password from a busy shared address
    // still signs in, so one bad client behind the same egress locks out nobody else.
    long accountRetry = byAccount.retryAfterSeconds(account);
    if (accountRetry > 0) {
      tooMany(ctx, accountRetry, tenant, name);
      return;
    }
    Optional<Passwords.Account> found = passwords.check(tenant, name, ctx.formParam("password"));
    if (found.isEmpty()) {
      long addressRetry = byAddress.retryAfterSeconds(ctx.ip());
      byAddress.failed(ctx.ip());
      byAccount.failed(account);
      if (addressRetry > 0) {
        tooMany(ctx, addressRetry, tenant, name);
        return;
      }
      showForm(
          ctx,
          401,
          "That organisation, user name and password do not match an account. Check them and try again.",
          tenant,
          name);
      return;
    }
    Passwords.Account a = found.get();
    String token = sessions.open(a.tenant().id(), a.user().id(), "password");
    audit.record(
        a.tenant().id(),
        AuditEvent.of("user:" + a.user().id().value(), "user.signin")
            .target("user", a.user().id().value())
            .with("method", "password"));
    ctx.removeCookie(PRE_COOKIE, "/");
    ctx.cookie(cookie(WebRouter.SESSION_COOKIE, token, SESSION_SECONDS));
    ctx.redirect(a.mustChange() ? "/profile/password" : safeNext(ctx.formParam("next")));
  }

  private void tooMany(Context ctx, long retrySeconds, String tenant, String name) {
    ctx.header("Retry-After", Long.toString(retrySeconds));
    showForm(ctx, 429, "Too many failed attempts. Retry in " + retrySeconds + " s.", tenant, name);
  }

  private void signOut(Context ctx) {
    String token = ctx.cookie(WebRouter.SESSION_COOKIE);
    Optional<WebUser> user = sessions.find(token);
    if (user.isPresent()
        && WebRouter.sameToken(user.get().csrf(), ctx.formParam(WebRouter.CSRF_FIELD))) {
      sessions.close(token);
      ctx.removeCookie(WebRouter.SESSION_COOKIE, "/");
      ctx.redirect("/signin");
      return;
    }
    if (user.isEmpty()) {
      ctx.redirect("/signin");
      return;
    }
    router.error(
        ctx,
        user.get(),
        403,
        "Sign-out needs the page's security token. Reload the page and try again.");
  }

  private void passwordForm(Context ctx, WebUser user, String error, int status) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", error);
    m.put("mustChange", user.mustChangePassword());
    m.put("minLength", Passwords.MIN_LENGTH);
    m.put("done", "1".equals(ctx.queryParam("done")));
    router.render(ctx, user, status, "password.jte", "Your password", "profile", m);
  }

  private void changePassword(Context ctx, WebUser user) {
    String current = ctx.formParam("current");
    String next = ctx.formParam("password");
    if (passwords.check(user.tenantName(), user.name(), current).isEmpty()) {
      passwordForm(ctx, user, "The current password is not right.", 400);
      return;
    }
    if (next == null || !next.equals(ctx.formParam("confirm"))) {
      passwordForm(ctx, user, "The new password and its confirmation differ.", 400);
      return;
    }
    if (next.codePointCount(0, next.length()) < Passwords.MIN_LENGTH) {
      passwordForm(
          ctx,
          user,
          "The new password must be at least " + Passwords.MIN_LENGTH + " characters.",
          400);
      return;
    }
    passwords.set(user.tenant(), user.id(), next, false, user.auditName());
    sessions.closeOthers(user.tenant(), user.id(), ctx.cookie(WebRouter.SESSION_COOKIE));
    ctx.redirect("/profile/password?done=1");
  }

  private Cookie cookie(String name, String value, int maxAge) {
    return new Cookie(name, value, "/", maxAge, secureCookies, true, null, SameSite.STRICT);
  }

  /** Only local paths: never another site (open redirect), never a protocol-relative URL. */
  static String safeNext(String next) {
    if (next == null
        || !next.startsWith("/")
        || next.startsWith("//")
        || next.startsWith("/\\")
        || next.length() > 200
        || next.startsWith("/signin")
        || !next.matches("[A-Za-z0-9/_.?=&%-]*")) {
      return "/";
    }
    return next;
  }
}
