package dev.keyroom.oauth;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.tenancy.Principal;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.CredentialId;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OAuth logins and git-token tests under Profile → Integrations, plus the provider's redirect
 * target {@code GET /oauth/callback}. Every route is scoped to the caller's own integrations: an
 * admin asking for a member's integration gets 404 like anybody else.
 */
public final class OAuthRoutes implements ApiRoutes.Module {
  public static final String BINDING_COOKIE = "keyroom_oauth";
  private static final String BASE = "/api/v1/me/integrations";

  private final OAuthIntegrations oauth;
  private final GitTokenCheck gitCheck;

  public OAuthRoutes(OAuthIntegrations oauth, GitTokenCheck gitCheck) {
    this.oauth = oauth;
    this.gitCheck = gitCheck;
  }

  record StartRequest(String name, List<String> scopes, String integrationId, String returnTo) {}

  @Override
  public void register(ApiRoutes r) {
    r.get(
        "/api/v1/oauth/providers",
        (ctx, p) -> Json.write(ctx, 200, Map.of("providers", oauth.providers().describe())));
    r.post(
        BASE + "/oauth/{provider}/start",
        (ctx, p) -> {
          UserId user = user(p);
          StartRequest req =
              Json.readOptional(ctx, StartRequest.class, new StartRequest(null, null, null, null));
          OAuthIntegrations.Started s =
              oauth.start(
                  p.tenant(),
                  user,
                  ctx.pathParam("provider"),
                  req.name(),
                  req.scopes(),
                  req.integrationId() == null ? null : CredentialId.parse(req.integrationId()),
                  req.returnTo());
          boolean secure = s.redirectUri().startsWith("https://");
          ctx.res()
              .addHeader(
                  "Set-Cookie",
                  BINDING_COOKIE
                      + "="
                      + s.browserBinding()
                      + "; Path=/oauth/callback; Max-Age="
                      + OAuthIntegrations.SIGN_IN_TTL_MS / 1000
                      + "; HttpOnly; SameSite=Lax"
                      + (secure ? "; Secure" : ""));
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("provider", s.provider());
          body.put("authorizationUrl", s.authorizationUrl());
          body.put("redirectUri", s.redirectUri());
          body.put("expiresAt", s.expiresAt());
          Json.write(ctx, 201, body);
        });
    r.get(
        BASE + "/oauth/connections",
        (ctx, p) -> Json.write(ctx, 200, Map.of("integrations", oauth.list(p.tenant(), user(p)))));
    r.get(
        BASE + "/{id}/oauth",
        (ctx, p) -> {
          UserId user = user(p);
          Json.write(ctx, 200, oauth.view(p.tenant(), user, id(ctx)));
        });
    r.post(
        BASE + "/{id}/oauth/refresh",
        (ctx, p) -> {
          UserId user = user(p);
          Json.write(ctx, 200, oauth.refreshNow(p.tenant(), user, id(ctx)));
        });
    r.delete(
        BASE + "/{id}/oauth",
        (ctx, p) -> {
          UserId user = user(p);
          CredentialId id = id(ctx);
          OAuthIntegrations.Revocation rev = oauth.disconnect(p.tenant(), user, id, p.auditName());
          Json.write(ctx, 200, Map.of("deleted", true, "id", id.value(), "revocation", rev));
        });
    r.post(
        BASE + "/{id}/test",
        (ctx, p) -> {
          UserId user = user(p);
          Json.write(ctx, 200, gitCheck.test(p.tenant(), user, id(ctx)));
        });
    r.unauthenticated(HandlerType.GET, "/oauth/callback", this::callback);
  }

  private void callback(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    ctx.res()
        .addHeader(
            "Set-Cookie",
            BINDING_COOKIE + "=; Path=/oauth/callback; Max-Age=0; HttpOnly; SameSite=Lax");
    try {
      OAuthIntegrations.Completed c =
          oauth.complete(
              ctx.queryParam("state"),
              ctx.queryParam("code"),
              ctx.queryParam("error"),
              ctx.cookie(BINDING_COOKIE));
      if (c.returnTo() != null) {
        redirect(
            ctx,
            ReturnTo.with(c.returnTo(), "oauth=connected&integration=" + c.integration().id()));
        return;
      }
      Json.write(ctx, 200, Map.of("connected", c.integration()));
    } catch (SignInFailedException e) {
      if (e.returnTo() != null) {
        redirect(ctx, ReturnTo.with(e.returnTo(), "oauth=error&reason=" + e.reason()));
        return;
      }
      Json.write(ctx, 400, Map.of("error", e.reason(), "message", e.getMessage()));
    }
  }

  private static void redirect(Context ctx, String location) {
    ctx.status(302).header("Location", location).result("");
  }

  private static UserId user(Principal p) {
    return p.requireUser("managing integrations");
  }

  private static CredentialId id(Context ctx) {
    return CredentialId.parse(ctx.pathParam("id"));
  }
}
