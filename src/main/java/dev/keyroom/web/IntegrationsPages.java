package dev.keyroom.web;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.Home;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.PayloadTooLargeException;
import dev.keyroom.oauth.IntegrationView;
import dev.keyroom.session.IntegrationConsents;
import dev.keyroom.session.WorkroomId;
import dev.keyroom.session.Workrooms;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Profile → Integrations: a person's own git tokens and personal secrets. Only that person sees
 * them.
 */
public final class IntegrationsPages {
  private final WebRouter router;
  private final Vault vault;
  private final Catalog catalog;
  private final Clock clock;
  private final OAuthConnections oauth;
  private final Workrooms workrooms;
  private final IntegrationConsents consents;

  IntegrationsPages(
      WebRouter router,
      Vault vault,
      Catalog catalog,
      Workrooms workrooms,
      IntegrationConsents consents,
      Clock clock,
      OAuthConnections oauth) {
    this.router = router;
    this.vault = vault;
    this.catalog = catalog;
    this.workrooms = workrooms;
    this.consents = consents;
    this.clock = clock;
    this.oauth = oauth;
  }

  void register() {
    router.page(
        "/profile/integrations",
        WebRouter.Access.MEMBER,
        (ctx, u) -> show(ctx, u, 200, null, "", "", ""));
    router.action("/profile/integrations", WebRouter.Access.MEMBER, this::add);
    router.action("/profile/integrations/{id}/replace", WebRouter.Access.MEMBER, this::replace);
    router.action("/profile/integrations/{id}/hosts", WebRouter.Access.MEMBER, this::hosts);
    router.action("/profile/integrations/{id}/delete", WebRouter.Access.MEMBER, this::delete);
    router.action("/profile/consents/{workroom}", WebRouter.Access.MEMBER, this::consent);
    oauth.register();
  }

  private void show(
      Context ctx, WebUser user, int status, String error, String kind, String name, String hosts) {
    List<IntegrationView> connections = oauth.connections(user);
    Set<String> oauthIds =
        connections.stream().map(IntegrationView::id).collect(Collectors.toSet());
    List<CredentialInfo> mine =
        vault.list(CredentialScope.integrationsOf(user.tenant(), user.id())).stream()
            .filter(c -> !oauthIds.contains(c.id()))
            .toList();
    String savedId = ctx.queryParam("saved");
    Map<String, String> outcome = oauth.outcome(ctx, connections);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("integrations", mine);
    m.put("connections", connections);
    m.put("offers", oauth.offers());
    m.put("oauthOk", outcome.get("ok"));
    m.put("oauthError", outcome.get("error"));
    m.put("disconnected", "disconnected".equals(ctx.queryParam("done")));
    m.put(
        "kinds",
        catalog.kinds().stream()
            .filter(k -> k.home() == Home.USER && !k.isOAuth())
            .map(SecretsPages::option)
            .toList());
    m.put(
        "saved",
        savedId == null
            ? null
            : mine.stream().filter(c -> c.id().equals(savedId)).findFirst().orElse(null));
    m.put("deleted", "deleted".equals(ctx.queryParam("done")));
    m.put("error", error);
    m.put("formKind", kind);
    m.put("formName", name);
    m.put("formHosts", hosts);
    m.put(
        "gitKinds",
        catalog.kinds().stream()
            .filter(k -> k.home() == Home.USER && k.isGit() && !k.isOAuth())
            .map(k -> k.id() + " (default " + String.join(", ", k.git().hosts()) + ")")
            .toList());
    m.put("now", clock.millis());
    m.put("consents", consentRows(user));
    router.render(ctx, user, status, "integrations.jte", "Integrations", "integrations", m);
  }

  /**
   * A workroom and whether the platform's sessions for this person there get their integrations.
   */
  public record ConsentRow(String workroomId, String workroomName, Long grantedAt) {}

  private List<ConsentRow> consentRows(WebUser user) {
    Map<String, Long> granted =
        consents.list(user.tenant(), user.id()).stream()
            .collect(
                Collectors.toMap(
                    c -> c.workroomId().value(), IntegrationConsents.Consent::grantedAt));
    return workrooms.list(user.tenant(), new Workrooms.Viewer(user.id(), false)).stream()
        .map(w -> new ConsentRow(w.id().value(), w.name(), granted.get(w.id().value())))
        .toList();
  }

  private void consent(Context ctx, WebUser user) {
    WorkroomId workroom = WorkroomId.parse(ctx.pathParam("workroom"));
    if ("yes".equals(ctx.formParam("allow"))) {
      consents.grant(user.tenant(), user.id(), workroom, user.auditName());
    } else {
      consents.withdraw(user.tenant(), user.id(), workroom, user.auditName());
    }
    ctx.redirect("/profile/integrations#consents");
  }

  private void add(Context ctx, WebUser user) {
    String kind = WebRouter.field(ctx, "kind");
    String name = WebRouter.field(ctx, "name");
    String value = ctx.formParam("value");
    String hosts = ctx.formParam("hosts");
    try {
      if (kind == null) {
        throw new InvalidInputException("kind", "choose what you are connecting");
      }
      if (value == null || value.isEmpty()) {
        throw new InvalidInputException("value", "paste the token's value");
      }
      CredentialInfo c =
          vault.create(
              CredentialScope.integrationsOf(user.tenant(), user.id()),
              kind,
              name,
              SecretValue.ofUtf8(value.strip()),
              hostList(hosts),
              user.auditName());
      ctx.redirect("/profile/integrations?saved=" + c.id());
    } catch (InvalidInputException | ConflictException | PayloadTooLargeException e) {
      show(
          ctx,
          user,
          e.status(),
          e.getMessage(),
          kind == null ? "" : kind,
          name == null ? "" : name,
          hosts == null ? "" : hosts);
    }
  }

  private void replace(Context ctx, WebUser user) {
    CredentialId id = CredentialId.parse(ctx.pathParam("id"));
    String value = ctx.formParam("value");
    try {
      if (value == null || value.isEmpty()) {
        throw new InvalidInputException(
            "value",
            "paste the new value to replace the token (the field starts empty on purpose)");
      }
      vault.replace(
          CredentialScope.integrationsOf(user.tenant(), user.id()),
          id,
          SecretValue.ofUtf8(value.strip()),
          user.auditName());
      ctx.redirect("/profile/integrations?saved=" + id.value());
    } catch (InvalidInputException | ConflictException e) {
      show(ctx, user, e.status(), e.getMessage(), "", "", "");
    }
  }

  /** Binds a git token to other hosts (one form field, hosts separated by spaces or commas). */
  private void hosts(Context ctx, WebUser user) {
    CredentialId id = CredentialId.parse(ctx.pathParam("id"));
    String hosts = ctx.formParam("hosts");
    try {
      List<String> list = hostList(hosts);
      vault.setHosts(
          CredentialScope.integrationsOf(user.tenant(), user.id()),
          id,
          list == null ? List.of() : list,
          user.auditName());
      ctx.redirect("/profile/integrations?saved=" + id.value());
    } catch (InvalidInputException e) {
      show(ctx, user, e.status(), e.getMessage(), "", "", "");
    }
  }

  /**
   * "github.com, git.example.com:8443" as a list; null when the field is empty (the kind's
   * default).
   */
  static List<String> hostList(String field) {
    if (field == null || field.isBlank()) {
      return null;
    }
    return List.of(field.strip().split("[\\s,]+"));
  }

  private void delete(Context ctx, WebUser user) {
    vault.delete(
        CredentialScope.integrationsOf(user.tenant(), user.id()),
        CredentialId.parse(ctx.pathParam("id")),
        user.auditName());
    ctx.redirect("/profile/integrations?done=deleted");
  }
}
