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
import dev.keyroom.session.DeliveryLedger;
import dev.keyroom.session.EnvironmentContributors;
import dev.keyroom.session.SessionEnvironment;
import dev.keyroom.session.SessionEvents;
import dev.keyroom.session.SessionPolicy;
import dev.keyroom.session.SessionRevocation;
import dev.keyroom.session.SessionRoutes;
import dev.keyroom.session.SessionSweeper;
import dev.keyroom.proxy.ProviderProxy;
import dev.keyroom.proxy.ProxyRoutes;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.WorkroomRoutes;
import dev.keyroom.session.Workrooms;
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
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds every part of Keyroom with {@code new}, in one place. */
public final class Keyroom implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Keyroom.class);

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
  private final Metrics metrics = new Metrics();
  private HttpServer http;
  private UsageRecorder usage;
  private ProviderProxy proxy;

  private Keyroom(Config config, Clock clock) {
    this.config = config;
    this.clock = clock;
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
    this.catalog = Catalog.load();
    this.audit = new AuditLog(db, clock);
    this.tokens = new ApiTokens(db, audit, clock);
    this.tenancy = new Tenancy(db, keys, audit, tokens, clock);
    this.skills = new Skills(db, catalog, audit, clock);
    this.vault = new Vault(db, keys, catalog, audit, skills, clock);
    this.workrooms = new Workrooms(db, catalog, vault, audit, clock, environmentContributors);
    this.sessions = new Sessions(db, keys, catalog, workrooms, audit, clock,
        config.duration(Config.Setting.SESSION_MAX_LIFETIME), config.duration(Config.Setting.SESSION_IDLE_TIMEOUT),
        new DeliveryLedger(db));
    this.sessionPolicy = new SessionPolicy(db, audit, clock);
    sessions.onEnd(s -> sessionEvents.publish(s.id(), new SessionEvents.Event(SessionEvents.ENDED,
        java.util.Map.of("sessionId", s.id().value(), "reason", s.endReason() == null ? "ended" : s.endReason()))));
    new SessionRevocation(sessions, sessionEvents, sessionPolicy, vault, audit).attach();
    this.sessionEnvironment = new SessionEnvironment(db, catalog, vault, workrooms, sessions, audit, environmentContributors,
        () -> config.publicUrl(http == null ? config.port() : http.port()), clock);
    this.sessionSweeper = new SessionSweeper(sessions);
    this.oauth = new OAuthIntegrations(db, keys, vault, audit, new OAuthProviders(catalog, config.oauth()), clock,
        config.duration(Config.Setting.OAUTH_REFRESH_AHEAD), () -> config.publicUrl(http == null ? config.port() : http.port()));
    environmentContributors.register(new OAuthEnvironment(catalog, vault, oauth));
  }

  /** Opens the store and keys. Refuses a wrong master key, or a missing one for an existing store. */
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
      throw new CryptoSetupException("this store was encrypted with a master key, but " + file
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
    modules.add(new VaultRoutes(vault, skills));
    modules.add(new AuditRoutes(audit));
    modules.add(new WorkroomRoutes(workrooms, sessions));
    modules.add(new SessionRoutes(sessions, sessionEnvironment, sessionEvents, sessionPolicy));
    modules.add(new UsageRoutes(new UsageStore(db), clock));
    modules.add(new ProxyRoutes(proxy = new ProviderProxy(catalog, config.upstreams(), sessions, workrooms, vault,
        usage = new UsageRecorder(db, new UsageStore(db), audit, vault, metrics, 10_000, Duration.ofMillis(250)), metrics,
        clock, config.duration(Config.Setting.PROXY_CONNECT_TIMEOUT), config.duration(Config.Setting.PROXY_READ_TIMEOUT),
        config.duration(Config.Setting.PROXY_GRANT_TTL))));
    modules.add(new dev.keyroom.web.WebRoutes(this));
    modules.add(new OAuthRoutes(oauth, new GitTokenCheck(vault, oauth, config.get(Config.Setting.GIT_API_URL))));
    Authenticator authenticator = new Authenticator(tokens, sessions, new FailedAuthLimiter(20, 60_000, clock), metrics);
    http = new HttpServer(config.bind(), config.port(), authenticator, metrics, modules).start();
    sessionSweeper.start(java.time.Duration.ofSeconds(1));
    oauth.startBackgroundRefresh(config.duration(Config.Setting.OAUTH_REFRESH_INTERVAL),
        config.duration(Config.Setting.OAUTH_REFRESH_AHEAD));
    LOG.info("Keyroom serving on http://{}:{} ({})", config.bind(), http.port(), master.describe());
    return http;
  }

  public Config config() { return config; }
  public Clock clock() { return clock; }
  public Database db() { return db; }
  public MasterKey master() { return master; }
  public TenantKeys keys() { return keys; }
  public Catalog catalog() { return catalog; }
  public AuditLog audit() { return audit; }
  public ApiTokens tokens() { return tokens; }
  public Tenancy tenancy() { return tenancy; }
  public Skills skills() { return skills; }
  public Vault vault() { return vault; }
  public Workrooms workrooms() { return workrooms; }
  public Sessions sessions() { return sessions; }
  public OAuthIntegrations oauth() { return oauth; }
  public Metrics metrics() { return metrics; }
  /** Other features register their session environment variables here (e.g. OAuth access tokens). */
  public EnvironmentContributors environmentContributors() { return environmentContributors; }
  public SessionEnvironment sessionEnvironment() { return sessionEnvironment; }
  public SessionEvents sessionEvents() { return sessionEvents; }
  public SessionPolicy sessionPolicy() { return sessionPolicy; }
  public SessionSweeper sessionSweeper() { return sessionSweeper; }
  public HttpServer http() { return http; }
  public ProviderProxy proxy() { return proxy; }
  public UsageRecorder usage() { return usage; }

  @Override
  public void close() {
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
