package dev.keyroom.web;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.FailedAuthLimiter;
import dev.keyroom.app.Config;
import dev.keyroom.app.Keyroom;
import dev.keyroom.usage.UsageStore;
import java.time.Duration;

/**
 * The web UI's routes, built on the service classes (vault, workrooms, sessions, audit …)
 * directly. Registered by {@link Keyroom#startHttp()}; none of these routes is under /api/v1.
 */
public final class WebRoutes implements ApiRoutes.Module {
  private final Keyroom k;

  public WebRoutes(Keyroom keyroom) {
    this.k = keyroom;
  }

  @Override
  public void register(ApiRoutes api) {
    Passwords passwords = new Passwords(k.db(), k.tenancy(), k.audit(), k.clock());
    BrowserSessions browser = new BrowserSessions(k.db(), k.tenancy(), passwords, k.clock(), Duration.ofHours(12),
        Duration.ofHours(2));
    WebRouter router = new WebRouter(api, browser, new Views());
    KeyTester tester = k.proxy() == null ? KeyTester.unavailable()
        : new CatalogKeyTest(k.catalog(), k.vault(), k.proxy(), k.audit(), k.clock());
    boolean secure = k.config().get(Config.Setting.PUBLIC_URL).startsWith("https://");
    new Assets().register(router);
    new SignInPages(router, passwords, browser, k.audit(), new FailedAuthLimiter(20, 15 * 60_000, k.clock()),
        new FailedAuthLimiter(5, 15 * 60_000, k.clock()), secure).register();
    new SecretsPages(router, k.vault(), k.skills(), k.workrooms(), k.sessions(), k.tenancy(), k.catalog(),
        new SessionEnder(k.vault(), k.workrooms(), k.sessions(), k.sessionPolicy(), k.clock()), tester, k.clock()).register();
    new IntegrationsPages(router, k.vault(), k.catalog(), k.clock(), new OAuthConnections(router, k.oauth())).register();
    new WorkroomsPages(router, k.workrooms(), k.sessions(), k.vault(), k.tenancy(), k.catalog(), k.audit(), k.clock()).register();
    new UsagePages(router, new UsageStore(k.db()), k.catalog(), k.workrooms(), k.tenancy(), k.vault(), k.clock()).register();
    new AuditPages(router, k.audit(), k.tenancy(), k.workrooms(), k.vault()).register();
  }
}
