package dev.keyroom.web;

import dev.keyroom.error.InvalidInputException;
import dev.keyroom.tenancy.ApiTokens;
import dev.keyroom.tenancy.TokenId;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Profile → API tokens: a person's own {@code kr_u_} tokens for the CLI and scripts — list, create
 * (the token is shown once, on the page the form leads to), revoke. As in the API ({@code
 * /api/v1/me/tokens}) everyone manages only their own; nobody, admins included, lists or revokes
 * another person's tokens (disabling the person ends them all).
 */
public final class TokensPages {
  /** A token created by the post that led here: {@code token} is null once it has been shown. */
  public record Created(ApiTokens.TokenInfo info, Reveals.Revealed token) {}

  private final WebRouter router;
  private final ApiTokens tokens;
  private final Reveals reveals;
  private final Supplier<String> publicUrl;
  private final Clock clock;

  TokensPages(
      WebRouter router,
      ApiTokens tokens,
      Reveals reveals,
      Supplier<String> publicUrl,
      Clock clock) {
    this.router = router;
    this.tokens = tokens;
    this.reveals = reveals;
    this.publicUrl = publicUrl;
    this.clock = clock;
  }

  void register() {
    router.page(
        "/profile/tokens", WebRouter.Access.MEMBER, (ctx, u) -> show(ctx, u, 200, null, ""));
    router.action("/profile/tokens", WebRouter.Access.MEMBER, this::create);
    router.action("/profile/tokens/{id}/revoke", WebRouter.Access.MEMBER, this::revoke);
  }

  private void show(Context ctx, WebUser user, int status, String error, String formName) {
    List<ApiTokens.TokenInfo> mine = tokens.list(user.tenant(), user.id());
    String createdId = ctx.queryParam("created");
    Created created = null;
    if (createdId != null) {
      TokenId id = TokenId.parse(createdId);
      Optional<ApiTokens.TokenInfo> info = mine.stream().filter(t -> t.id().equals(id)).findFirst();
      if (info.isPresent()) {
        created =
            new Created(
                info.get(),
                reveals
                    .take(
                        Reveals.browserSession(ctx.cookie(WebRouter.SESSION_COOKIE)),
                        user.tenant(),
                        Reveals.Kind.API_TOKEN,
                        id.value())
                    .orElse(null));
      }
    }
    String revoked = ctx.queryParam("revoked");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tokens", mine);
    m.put("created", created);
    m.put(
        "revoked",
        revoked == null
            ? null
            : mine.stream()
                .filter(t -> t.id().value().equals(revoked))
                .findFirst()
                .map(ApiTokens.TokenInfo::name)
                .orElse(null));
    m.put("error", error);
    m.put("formName", formName);
    m.put("loginCommand", "keyroom login " + Shell.quote(publicUrl.get()));
    m.put("now", clock.millis());
    router.render(ctx, user, status, "tokens.jte", "API tokens", "tokens", m);
  }

  private void create(Context ctx, WebUser user) {
    String name = WebRouter.field(ctx, "name");
    ApiTokens.Issued issued;
    try {
      issued = tokens.issueForUser(user.tenant(), user.id(), name, user.auditName());
    } catch (InvalidInputException e) {
      show(ctx, user, e.status(), e.getMessage(), name == null ? "" : name);
      return;
    }
    reveals.keep(
        Reveals.browserSession(ctx.cookie(WebRouter.SESSION_COOKIE)),
        user.tenant(),
        Reveals.Kind.API_TOKEN,
        issued.id().value(),
        issued.token());
    ctx.redirect("/profile/tokens?created=" + issued.id().value());
  }

  private void revoke(Context ctx, WebUser user) {
    TokenId id = TokenId.parse(ctx.pathParam("id"));
    tokens.revoke(user.tenant(), user.id(), id, user.auditName());
    ctx.redirect("/profile/tokens?revoked=" + id.value());
  }
}
