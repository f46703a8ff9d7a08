package dev.keyroom.app;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Authenticator;
import dev.keyroom.api.FailedAuthLimiter;
import dev.keyroom.api.HttpServer;
import dev.keyroom.api.Metrics;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.audit.AuditRoutes;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CatalogRoutes;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.crypto.CryptoSetupException;
import dev.keyroom.crypto.LocalKeysetMasterKey;
import dev.keyroom.crypto.MasterKey;
import dev.keyroom.crypto.MasterKeySentinel;
import dev.keyroom.crypto.TenantKeys;
import dev.keyroom.oauth.GitTokenCheck;
import dev.keyroom.oauth.OAuthEnvironment;
import dev.keyroom.oauth.OAuthIntegrations;
import dev.keyroom.oauth.OAuthProviders;
import dev.keyroom.oauth.OAuthRoutes;
import dev.keyroom.proxy.KeyTest;
import dev.keyroom.proxy.KeyTestRoutes;
import dev.keyroom.proxy.ProviderProxy;
import dev.keyroom.proxy.ProxyRoutes;
import dev.keyroom.session.ConsentRoutes;
import dev.keyroom.session.DeliveryLedger;
import dev.keyroom.session.EnvironmentContributors;
import dev.keyroom.session.EventStreamLimits;
import dev.keyroom.session.IntegrationConsents;
import dev.keyroom.session.SessionEnvironment;
import dev.keyroom.session.SessionEvents;
import dev.keyroom.session.SessionPolicy;
import dev.keyroom.session.SessionRevocation;
import dev.keyroom.session.SessionRoutes;
import dev.keyroom.session.SessionSweeper;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.WorkroomMembers;
import dev.keyroom.session.WorkroomRoutes;
import dev.keyroom.session.Workrooms;
import dev.keyroom.spend.PriceCatalogue;
import dev.keyroom.spend.Pricing;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.ApiTokens;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenancyRoutes;
import dev.keyroom.usage.UsageRecorder;
import dev.keyroom.usage.UsageRoutes;
import dev.keyroom.usage.UsageStore;
import dev.keyroom.vault.Skills;
import dev.keyroom.vault.Vault;
import dev.keyroom.vault.VaultRoutes;
import dev.keyroom.web.BrowserSessions;
import dev.keyroom.web.InvitationRoutes;
import dev.keyroom.web.Passwords;
import dev.keyroom.web.Reveals;
import dev.keyroom.web.WebRoutes;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds every part of Keyroom with {@code new}, in one place. */
public final class Keyroom implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Keyroom.class);

  /** The largest usage queue a setting may ask for (each record is a few hundred bytes). */
  static final int MAX_USAGE_QUEUE = 1_000_000;

  /**
   * How long a proxied request waits for room in a full usage queue before its record is dropped.
   */
  static final Duration USAGE_OFFER_WAIT = Duration.ofMillis(250);

  /** How long the usage writer waits for more records after the first of a batch. */
  static final Duration USAGE_LINGER = Duration.ofMillis(10);

  private final Config config;
  private final Clock clock;
  private final Database db;
  private final MasterKey master;
  private final TenantKeys keys;
  private final Catalog catalog;
  private final AuditLog audit;
  private final ApiTokens tokens;
  private final Tenancy tenancy;
  private final Skills skills;
  private final Vault vault;
  private final Workrooms workrooms;
  private final Sessions sessions;
  private final EnvironmentContributors environmentContributors = new EnvironmentContributors();
  private final SessionEvents sessionEvents = new SessionEvents();
  private final SessionPolicy sessionPolicy;
  private final SessionEnvironment sessionEnvironment;
  private final SessionSweeper sessionSweeper;
  private final OAuthIntegrations oauth;
  private final IntegrationConsents consents;
  private final Passwords passwords;
  private final PriceCatalogue prices;
  private final BrowserSessions browserSessions;
  private final Metrics metrics = new Metrics();
  private HttpServer http;
  private UsageRecorder usage;
  private ProviderProxy proxy;

  private Keyroom(Config config, Clock clock) {
    this.config = config;
    this.clock = clock;
    // Catalogue and prices first: a mistake in the operator's prices file stops the start before
    // anything is opened.
    this.catalog = Catalog.load();
    this.prices =
        PriceCatalogue.load(
            catalog.proxied().stream().map(CredentialKind::id).collect(Collectors.toSet()),
            config.pricesFile());
    DataDirectory.secure(config.dataDir());
    this.db = Database.open(config.databaseUrl(), config.databaseUser(), config.databasePassword());
    try {
      this.master = openMasterKey(config, db);
      MasterKeySentinel.verifyOrCreate(db, master);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    this.keys = new TenantKeys(db, master);
    this.audit = new AuditLog(db, clock);
    this.tokens = new ApiTokens(db, audit, clock);
    this.tenancy = new Tenancy(db, keys, audit, tokens, clock);
    this.skills = new Skills(db, catalog, audit, clock);
    this.vault = new Vault(db, keys, catalog, audit, skills, clock);
    vault.refingerprint(); // fingerprints cleared by migration V7 are computed per home and owner
    // before any use
    WorkroomMembers workroomMembers = new WorkroomMembers(db, audit, clock);
    this.workrooms =
        new Workrooms(db, catalog, vault, audit, clock, environmentContributors, workroomMembers);
    this.sessions =
        new Sessions(
            db,
            keys,
            catalog,
            workrooms,
            audit,
            clock,
            config.duration(Config.Setting.SESSION_MAX_LIFETIME),
            config.duration(Config.Setting.SESSION_IDLE_TIMEOUT),
            new DeliveryLedger(db));
    this.sessionPolicy = new SessionPolicy(db, audit, clock);
    this.consents = new IntegrationConsents(db, workrooms, sessions, audit, clock);
    this.sessionEnvironment =
        new SessionEnvironment(
            db,
            catalog,
            vault,
            workrooms,
            sessions,
            audit,
            environmentContributors,
            consents,
            () -> config.publicUrl(http == null ? config.port() : http.port()),
            () ->
                config.proxyPublicUrl(
                    http == null ? config.port() : http.port(),
                    http == null ? config.proxyPort().orElse(0) : http.proxyPort()),
            clock);
    this.sessionSweeper = new SessionSweeper(sessions);
    this.oauth =
        new OAuthIntegrations(
            db,
            keys,
            vault,
            audit,
            new OAuthProviders(catalog, config.oauth()),
            clock,
            config.duration(Config.Setting.OAUTH_REFRESH_AHEAD),
            () -> config.publicUrl(http == null ? config.port() : http.port()));
    environmentContributors.register(new OAuthEnvironment(catalog, vault, oauth));
    this.passwords = new Passwords(db, tenancy, audit, clock);
    this.browserSessions =
        new BrowserSessions(
            db, tenancy, passwords, clock, Duration.ofHours(12), Duration.ofHours(2));
    reactToEnds(workroomMembers);
  }

  /**
   * Every reaction to something ending, in one place. When a user is disabled, their live sessions
   * and web sign-ins end in the same transaction; so do their sessions in a workroom they leave.
   * When a session ends, its event streams hear it. When a credential is revoked, replaced or
   * deleted, the live sessions holding a copy or a placeholder are told and ended (or asked to
   * restart) and the revoker is told how many. The proxy's reactions are in {@link
   * #proxyReactsToEnds}, wired when it is built.
   */
  private void reactToEnds(WorkroomMembers workroomMembers) {
    // A user who leaves a workroom (removed, or the workroom deleted) loses its sessions and their
    // consent
    // for it in the same transaction: rejoining later does not bring the old consent back.
    workroomMembers.onLeave(
        (h, tenant, workroom, user, reason, actor) -> {
          consents.forget(h, tenant, workroom, user);
          return sessions.endLive(h, tenant, workroom, user, reason, actor);
        });
    tenancy.onAccessEnd(
        (h, tenant, user, reason, actor) -> {
          sessions.endAll(h, tenant, null, user, null, reason, actor);
          browserSessions.closeAll(h, tenant, user);
        });
    sessions.onEnd(
        s ->
            sessionEvents.publish(
                s.id(),
                new SessionEvents.Event(
                    SessionEvents.ENDED,
                    java.util.Map.of(
                        "sessionId",
                        s.id().value(),
                        "reason",
                        s.endReason() == null ? "ended" : s.endReason()))));
    vault.onChangeReport(
        new SessionRevocation(sessions, sessionEvents, sessionPolicy, vault, audit));
  }

  /**
   * When a session ends (for any reason: its launcher, expiry, a disabled user, a leaving member, a
   * withdrawn consent, a revocation), the proxy forgets its grants and aborts its requests in
   * flight; when a credential is revoked, replaced or deleted, likewise for requests using it.
   */
  private void proxyReactsToEnds(ProviderProxy proxy) {
    sessions.onEnd(s -> proxy.abortSession(s.id()));
    vault.onChange(c -> proxy.abortCredential(c.tenant(), c.credential()));
  }

  /**
   * Opens the store and keys. Refuses a wrong master key, or a missing one for an existing store.
   */
  public static Keyroom open(Config config) {
    return open(config, Clock.systemUTC());
  }

  public static Keyroom open(Config config, Clock clock) {
    return new Keyroom(config, clock);
  }

  private static MasterKey openMasterKey(Config config, Database db) {
    var file = config.masterKeyFile();
    if (Files.exists(file)) {
      return LocalKeysetMasterKey.open(file);
    }
    if (MasterKeySentinel.exists(db)) {
      throw new CryptoSetupException(
          "this store was encrypted with a master key, but "
              + file
              + " does not exist. Restore the keyset file (or set KEYROOM_MASTER_KEY to it); Keyroom will not"
              + " create a new key for an existing store.");
    }
    return LocalKeysetMasterKey.create(file);
  }

  /** Starts the HTTP server with every feature's routes. */
  public HttpServer startHttp() {
    List<ApiRoutes.Module> modules = new ArrayList<>();
    modules.add(new SystemRoutes(db, keys, metrics, config.get(Config.Setting.METRICS_TOKEN)));
    modules.add(new CatalogRoutes(catalog));
    modules.add(new TenancyRoutes(tenancy, tokens));
    modules.add(new InvitationRoutes(passwords));
    modules.add(new VaultRoutes(vault, skills, catalog));
    modules.add(new AuditRoutes(audit));
    modules.add(new WorkroomRoutes(workrooms));
    modules.add(
        new SessionRoutes(
            sessions,
            workrooms,
            sessionEnvironment,
            sessionEvents,
            new EventStreamLimits(
                config.positiveInt(Config.Setting.SESSION_EVENT_STREAMS_PER_SESSION),
                config.positiveInt(Config.Setting.SESSION_EVENT_STREAMS_PER_TENANT)),
            sessionPolicy));
    modules.add(new ConsentRoutes(consents));
    UsageStore usageStore = new UsageStore(db, new Pricing(prices, catalog));
    modules.add(new UsageRoutes(usageStore, clock));
    modules.add(
        new ProxyRoutes(
            proxy =
                new ProviderProxy(
                    catalog,
                    config.upstreams(),
                    sessions,
                    workrooms,
                    vault,
                    usage =
                        new UsageRecorder(
                                db,
                                usageStore,
                                audit,
                                vault,
                                metrics,
                                config.positiveInt(Config.Setting.USAGE_QUEUE, MAX_USAGE_QUEUE),
                                USAGE_OFFER_WAIT,
                                USAGE_LINGER)
                            .start(),
                    metrics,
                    clock,
                    config.duration(Config.Setting.PROXY_CONNECT_TIMEOUT),
                    config.duration(Config.Setting.PROXY_READ_TIMEOUT),
                    config.duration(Config.Setting.PROXY_GRANT_TTL),
                    new ProviderProxy.Limits(
                        config.positiveInt(Config.Setting.PROXY_MAX_CONCURRENT_PER_SESSION),
                        config.positiveInt(Config.Setting.PROXY_MAX_CONCURRENT_PER_TENANT),
                        config.positiveInt(Config.Setting.PROXY_UPSTREAM_CONNECTIONS)))));
    proxyReactsToEnds(proxy);
    modules.add(new KeyTestRoutes(new KeyTest(catalog, vault, proxy, audit, clock)));
    modules.add(
        new WebRoutes(
            new WebRoutes.Services(
                tenancy,
                passwords,
                browserSessions,
                audit,
                catalog,
                vault,
                skills,
                workrooms,
                sessions,
                sessionPolicy,
                consents,
                oauth,
                usageStore,
                proxy,
                config.get(Config.Setting.PUBLIC_URL).startsWith("https://"),
                clock,
                tokens,
                new Reveals(db, keys, clock),
                () -> config.publicUrl(http == null ? config.port() : http.port()))));
    modules.add(
        new OAuthRoutes(
            oauth, new GitTokenCheck(vault, oauth, config.get(Config.Setting.GIT_API_URL))));
    Authenticator authenticator =
        new Authenticator(tokens, sessions, new FailedAuthLimiter(20, 60_000, clock), metrics);
    java.util.OptionalInt proxyPort = config.proxyPort();
    http =
        new HttpServer(
                config.bind(),
                config.port(),
                proxyPort.isPresent() ? proxyPort.getAsInt() : null,
                authenticator,
                metrics,
                modules)
            .start();
    sessionSweeper.start(java.time.Duration.ofSeconds(1));
    oauth.startBackgroundRefresh(
        config.duration(Config.Setting.OAUTH_REFRESH_INTERVAL),
        config.duration(Config.Setting.OAUTH_REFRESH_AHEAD));
    LOG.info("Keyroom serving on http://{}:{} ({})", config.bind(), http.port(), master.describe());
    if (http.proxyPort() > 0) {
      LOG.info("provider proxy on its own listener, http://{}:{}", config.bind(), http.proxyPort());
    }
    return http;
  }

  public Config config() {
    return config;
  }

  public Clock clock() {
    return clock;
  }

  public Database db() {
    return db;
  }

  public MasterKey master() {
    return master;
  }

  public TenantKeys keys() {
    return keys;
  }

  public PriceCatalogue prices() {
    return prices;
  }

  public Catalog catalog() {
    return catalog;
  }

  public AuditLog audit() {
    return audit;
  }

  public ApiTokens tokens() {
    return tokens;
  }

  public Tenancy tenancy() {
    return tenancy;
  }

  public Skills skills() {
    return skills;
  }

  public Vault vault() {
    return vault;
  }

  public Workrooms workrooms() {
    return workrooms;
  }

  public Sessions sessions() {
    return sessions;
  }

  public OAuthIntegrations oauth() {
    return oauth;
  }

  public Metrics metrics() {
    return metrics;
  }

  /**
   * Other features register their session environment variables here (e.g. OAuth access tokens).
   */
  public EnvironmentContributors environmentContributors() {
    return environmentContributors;
  }

  public SessionEnvironment sessionEnvironment() {
    return sessionEnvironment;
  }

  public SessionEvents sessionEvents() {
    return sessionEvents;
  }

  public SessionPolicy sessionPolicy() {
    return sessionPolicy;
  }

  public SessionSweeper sessionSweeper() {
    return sessionSweeper;
  }

  public IntegrationConsents consents() {
    return consents;
  }

  public Passwords passwords() {
    return passwords;
  }

  public BrowserSessions browserSessions() {
    return browserSessions;
  }

  public HttpServer http() {
    return http;
  }

  public ProviderProxy proxy() {
    return proxy;
  }

  public UsageRecorder usage() {
    return usage;
  }

  @Override
  public void close() {
    if (proxy != null) {
      proxy.drain(Duration.ofSeconds(10)); // requests in flight finish and queue their usage
    }
    sessionSweeper.close();
    sessionEvents.close();
    oauth.close();
    if (http != null) {
      http.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (usage != null) {
      usage.close(); // writes every usage record still queued before the store closes
    }
    db.close();
  }
}
