package dev.keyroom.web;

import dev.keyroom.oauth.IntegrationView;
import dev.keyroom.oauth.OAuthIntegrations;
import dev.keyroom.oauth.OAuthProvider;
import dev.keyroom.oauth.OAuthRoutes;
import dev.keyroom.vault.CredentialId;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "Connected accounts" under Profile → Integrations: OAuth logins started from the page (Connect,
 * one-click Reconnect) and ended from it (Disconnect). The provider's redirect comes back to {@code
 * /oauth/callback} (oauth package), which returns the browser to this page.
 */
public final class OAuthConnections {
  static final String RETURN_TO = "/profile/integrations";

  /** A provider as the page offers it. */
  public record Offer(String id, String name, boolean configured, String setting) {}

  private final WebRouter router;
  private final OAuthIntegrations oauth;

  OAuthConnections(WebRouter router, OAuthIntegrations oauth) {
    this.router = router;
    this.oauth = oauth;
  }

  void register() {
    router.action(
        "/profile/integrations/oauth/{provider}/connect", WebRouter.Access.MEMBER, this::connect);
    router.action(
        "/profile/integrations/{id}/disconnect", WebRouter.Access.MEMBER, this::disconnect);
  }

  List<IntegrationView> connections(WebUser user) {
    return oauth.list(user.tenant(), user.id());
  }

  boolean isOAuth(WebUser user, String credentialId) {
    return oauth.isOAuthIntegration(user.tenant(), user.id(), new CredentialId(credentialId));
  }

  List<Offer> offers() {
    List<Offer> out = new ArrayList<>();
    for (OAuthProvider p : oauth.providers().all()) {
      out.add(
          new Offer(
              p.id(),
              p.kind().displayName().replace(" (OAuth login)", ""),
              p.configured(),
              "KEYROOM_OAUTH_"
                  + p.id().toUpperCase(java.util.Locale.ROOT).replace('-', '_')
                  + "_CLIENT_ID"));
    }
    return out;
  }

  /** The page's message after coming back from a provider, from the callback's query. */
  Map<String, String> outcome(Context ctx, List<IntegrationView> connections) {
    Map<String, String> m = new LinkedHashMap<>();
    String state = ctx.queryParam("oauth");
    if ("connected".equals(state)) {
      String id = ctx.queryParam("integration");
      connections.stream()
          .filter(c -> c.id().equals(id))
          .findFirst()
          .ifPresent(
              c -> {
                String who =
                    offers().stream()
                        .filter(o -> o.id().equals(c.provider()))
                        .map(Offer::name)
                        .findFirst()
                        .orElse(c.provider());
                m.put(
                    "ok",
                    c.account() == null
                        ? "Connected " + who + "."
                        : "Connected " + who + " as " + c.account() + ".");
              });
    } else if ("error".equals(state)) {
      String reason = ctx.queryParam("reason");
      m.put(
          "error",
          "The sign-in did not complete"
              + (reason != null && reason.matches("[a-z_]{1,40}")
                  ? " (" + reason.replace('_', ' ') + ")"
                  : "")
              + ". Try Connect again; if it keeps failing, ask an admin.");
    }
    return m;
  }

  private void connect(Context ctx, WebUser user) {
    String provider = ctx.pathParam("provider");
    String reconnect = WebRouter.field(ctx, "integration");
    OAuthIntegrations.Started s =
        oauth.start(
            user.tenant(),
            user.id(),
            provider,
            WebRouter.field(ctx, "name"),
            null,
            reconnect == null ? null : CredentialId.parse(reconnect),
            RETURN_TO);
    boolean secure = s.redirectUri().startsWith("https://");
    ctx.res()
        .addHeader(
            "Set-Cookie",
            OAuthRoutes.BINDING_COOKIE
                + "="
                + s.browserBinding()
                + "; Path=/oauth/callback; Max-Age="
                + Math.max(1, (s.expiresAt() - System.currentTimeMillis()) / 1000)
                + "; HttpOnly; SameSite=Lax"
                + (secure ? "; Secure" : ""));
    // A redirect answering a form post would be checked against CSP form-action 'self'; a page
    // that moves on by itself is an ordinary navigation.
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("target", s.authorizationUrl());
    model.put(
        "provider",
        offers().stream()
            .filter(o -> o.id().equals(provider))
            .map(Offer::name)
            .findFirst()
            .orElse(provider));
    router.render(ctx, user, 200, "oauth-continue.jte", "Connecting", "integrations", model);
  }

  private void disconnect(Context ctx, WebUser user) {
    OAuthIntegrations.Revocation r =
        oauth.disconnect(
            user.tenant(), user.id(), CredentialId.parse(ctx.pathParam("id")), user.auditName());
    ctx.redirect(RETURN_TO + "?done=disconnected" + (r.attempted() && !r.ok() ? "&revoked=0" : ""));
  }
}
