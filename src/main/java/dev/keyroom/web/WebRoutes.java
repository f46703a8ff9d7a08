package dev.keyroom.web;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.FailedAuthLimiter;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.oauth.OAuthIntegrations;
import dev.keyroom.proxy.KeyTest;
import dev.keyroom.proxy.ProviderProxy;
import dev.keyroom.session.IntegrationConsents;
import dev.keyroom.session.SessionPolicy;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.ApiTokens;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.usage.UsageStore;
import dev.keyroom.vault.Skills;
import dev.keyroom.vault.Vault;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * The web UI's routes, built on the service classes it is given (vault, workrooms, sessions, audit
 * …). None of these routes is under /api/v1.
 */
public final class WebRoutes implements ApiRoutes.Module {
  /** What the web UI works with; built by the composition root. */
  public record Services(
      Tenancy tenancy,
      Passwords passwords,
      BrowserSessions browser,
      AuditLog audit,
      Catalog catalog,
      Vault vault,
      Skills skills,
      Workrooms workrooms,
      Sessions sessions,
      SessionPolicy policy,
      IntegrationConsents consents,
      OAuthIntegrations oauth,
      UsageStore usage,
      ProviderProxy proxy,
      boolean secureCookies,
      Clock clock,
      ApiTokens tokens,
      Reveals reveals,
      Supplier<String> publicUrl) {}

  private final Services s;

  public WebRoutes(Services services) {
    this.s = services;
  }

  @Override
  public void register(ApiRoutes api) {
    WebRouter router = new WebRouter(api, s.browser(), new Views());
    KeyTester tester =
        s.proxy() == null
            ? KeyTester.unavailable()
            : new CatalogKeyTest(
                new KeyTest(s.catalog(), s.vault(), s.proxy(), s.audit(), s.clock()));
    new Assets().register(router);
    new SignInPages(
            router,
            s.passwords(),
            s.browser(),
            s.audit(),
            new FailedAuthLimiter(20, 15 * 60_000, s.clock()),
            new FailedAuthLimiter(5, 15 * 60_000, s.clock()),
            s.secureCookies(),
            s.tenancy())
        .register();
    new SecretsPages(
            router,
            s.vault(),
            s.skills(),
            s.workrooms(),
            s.sessions(),
            s.tenancy(),
            s.catalog(),
            new SessionEnder(s.vault(), s.workrooms(), s.sessions(), s.policy(), s.clock()),
            tester,
            s.clock())
        .register();
    new IntegrationsPages(
            router,
            s.vault(),
            s.catalog(),
            s.workrooms(),
            s.consents(),
            s.clock(),
            new OAuthConnections(router, s.oauth()))
        .register();
    new WorkroomsPages(
            router,
            s.workrooms(),
            s.sessions(),
            s.vault(),
            s.tenancy(),
            s.catalog(),
            s.audit(),
            s.reveals(),
            s.publicUrl(),
            s.clock())
        .register();
    new WorkroomEditPages(router, s.workrooms(), s.sessions(), s.vault(), s.tenancy(), s.catalog())
        .register();
    new UsersPages(
            router,
            s.tenancy(),
            s.passwords(),
            s.tokens(),
            s.workrooms(),
            s.sessions(),
            s.audit(),
            s.reveals(),
            s.publicUrl(),
            s.clock())
        .register();
    new TokensPages(router, s.tokens(), s.reveals(), s.publicUrl(), s.clock()).register();
    new UsagePages(
            router,
            s.usage(),
            s.catalog(),
            s.workrooms(),
            s.tenancy(),
            s.vault(),
            s.skills(),
            s.clock())
        .register();
    new DeliveriesPages(router, s.workrooms(), s.sessions(), s.vault(), s.tenancy()).register();
    new AuditPages(router, s.audit(), s.tenancy(), s.workrooms(), s.vault()).register();
  }
}
