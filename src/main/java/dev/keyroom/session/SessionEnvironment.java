package dev.keyroom.session;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.catalog.Home;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.store.Database;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.ResolvedCredential;
import dev.keyroom.vault.Vault;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds a session's environment: placeholders and proxy base URLs for proxied tools, real values
 * for injected ones (the session user's own integrations only; tenant secrets only when the
 * workroom enables them), network access, and Keyroom's own variables. Every retrieval is audited
 * and written to the delivery ledger.
 */
public final class SessionEnvironment {
  /**
   * How often a retrieval is rebuilt when a credential it read changed before its ledger rows were
   * written.
   */
  private static final int MAX_ATTEMPTS = 5;

  static final String NO_CONSENT =
      "the platform started this session; its user's own integrations reach such sessions"
          + " only with their consent for this workroom (Profile → Integrations)";

  private final Database db;
  private final Catalog catalog;
  private final Vault vault;
  private final Workrooms workrooms;
  private final Sessions sessions;
  private final DeliveryLedger ledger;
  private final AuditLog audit;
  private final EnvironmentContributors contributors;
  private final IntegrationConsents consents;
  private final Supplier<String> publicUrl;
  private final Supplier<String> proxyUrl;
  private final Clock clock;

  public SessionEnvironment(
      Database db,
      Catalog catalog,
      Vault vault,
      Workrooms workrooms,
      Sessions sessions,
      AuditLog audit,
      EnvironmentContributors contributors,
      IntegrationConsents consents,
      Supplier<String> publicUrl,
      Supplier<String> proxyUrl,
      Clock clock) {
    this.db = db;
    this.catalog = catalog;
    this.vault = vault;
    this.workrooms = workrooms;
    this.sessions = sessions;
    this.ledger = sessions.ledger();
    this.audit = audit;
    this.contributors = contributors;
    this.consents = consents;
    this.publicUrl = publicUrl;
    this.proxyUrl = proxyUrl;
    this.clock = clock;
  }

  /**
   * The environment of one session; {@code skipped} says which parts could not be delivered and
   * why.
   */
  public record Environment(
      SessionInfo session, List<SessionVariable> variables, List<Skipped> skipped) {}

  /** A part of the workroom that delivered nothing this time (revoked, missing, clashing). */
  public record Skipped(String variable, String source, String reason) {}

  public String publicUrl() {
    return publicUrl.get();
  }

  /**
   * Builds, audits and records one retrieval. {@code fetchedBy} names the caller for the audit and
   * ledger. A credential revoked or replaced between reading it and recording its delivery is never
   * handed out: the retrieval is rebuilt without it.
   */
  public Environment fetch(SessionInfo session, String fetchedBy) {
    for (int attempt = 1; ; attempt++) {
      Built built = build(session);
      if (record(built, fetchedBy)) {
        return built.env();
      }
      if (attempt == MAX_ATTEMPTS) {
        throw new dev.keyroom.error.ConflictException(
            "the workroom's credentials kept changing while the environment was"
                + " built; try again");
      }
    }
  }

  /**
   * An environment and, apart from its variables' sources, the placeholders it hands out and what
   * they stand for.
   */
  private record Built(Environment env, Map<SessionVariable.Source, List<String>> placeholders) {}

  private Built build(SessionInfo session) {
    Workroom w = workrooms.get(session.tenant(), session.workroom());
    boolean personal = consents.allows(session);
    Builder b = new Builder();
    String base = publicUrl.get();
    String proxyBase = proxyUrl.get();
    b.put(SessionVariable.plain(EnvironmentLayout.KEYROOM_URL, base));
    b.put(SessionVariable.plain(EnvironmentLayout.KEYROOM_SESSION_ID, session.id().value()));
    Sessions.Secrets secrets = sessions.secrets(session.tenant(), session.id());
    b.put(SessionVariable.secret(EnvironmentLayout.KEYROOM_SESSION_TOKEN, secrets.token(), null));
    Map<String, String> placeholders = secrets.placeholders();
    CredentialScope tenantSecrets = CredentialScope.tenantSecrets(session.tenant());
    CredentialScope own = CredentialScope.integrationsOf(session.tenant(), session.user());
    b.opened.putAll(vault.resolveAll(tenantSecrets, tenantSecretIds(w)));
    List<CredentialInfo> integrations = null;
    for (int i = 0; i < w.tools().size(); i++) {
      Workroom.Tool t = w.tools().get(i);
      String field = "tools[" + i + "]";
      Optional<CredentialKind> found = catalog.find(t.kind());
      if (found.isEmpty()) {
        b.skip(null, field, "kind '" + t.kind() + "' is no longer in the catalog");
        continue;
      }
      CredentialKind kind = found.get();
      if (kind.isProxied()) {
        String placeholder = placeholders.get(kind.id());
        if (placeholder == null) {
          b.skip(
              kind.envVar("keyVar"),
              field,
              "tool was enabled after the session started; start a new session to use it");
          continue;
        }
        // The placeholder stands for the workroom's key: a revoked or deleted key hands out none.
        Optional<ResolvedCredential> key = open(b, tenantSecrets, t.credential(), field);
        if (key.isEmpty()) {
          b.skip(kind.envVar("keyVar"), field, b.lastReason);
          continue;
        }
        b.put(SessionVariable.secret(kind.envVar("keyVar"), placeholder, null));
        b.placeholders
            .computeIfAbsent(source(key.get()), k -> new ArrayList<>())
            .add(kind.envVar("keyVar"));
        String baseVar = kind.envVar("baseUrlVar");
        if (baseVar != null && !baseVar.isBlank()) {
          String suffix = kind.envVar("baseUrlSuffix") == null ? "" : kind.envVar("baseUrlSuffix");
          b.put(SessionVariable.plain(baseVar, proxyBase + "/proxy/" + kind.id() + suffix));
        }
      } else if (kind.isOAuth()) {
        continue; // OAuth logins come fresh from their contributor
        // (dev.keyroom.oauth.OAuthEnvironment)
      } else if (kind.home() == Home.TENANT) {
        open(b, tenantSecrets, t.credential(), field)
            .ifPresentOrElse(
                r -> {
                  String name = kind.nameIsEnvVar() ? r.info().name() : kind.envVar("keyVar");
                  b.put(SessionVariable.secret(name, r.value().revealUtf8(), source(r)));
                },
                () ->
                    b.skip(
                        kind.nameIsEnvVar() ? null : kind.envVar("keyVar"), field, b.lastReason));
      } else if (!personal) {
        b.skip(kind.nameIsEnvVar() ? null : kind.envVar("keyVar"), field, NO_CONSENT);
      } else {
        if (integrations == null) {
          integrations = vault.list(own);
        }
        userTool(b, own, kind, integrations, field);
      }
    }
    if (w.network().tailscale() != null) {
      String var = catalog.require(EnvironmentLayout.TAILSCALE_KIND, "kind").envVar("keyVar");
      open(b, tenantSecrets, w.network().tailscale(), "network.tailscaleSecretId")
          .ifPresentOrElse(
              r -> b.put(SessionVariable.secret(var, r.value().revealUtf8(), source(r))),
              () -> b.skip(var, "network.tailscaleSecretId", b.lastReason));
    }
    boolean pg = EnvironmentLayout.pgDefaults(w.network());
    for (int i = 0; i < w.network().endpoints().size(); i++) {
      Workroom.Endpoint e = w.network().endpoints().get(i);
      String field = "network.endpoints[" + i + "]";
      ResolvedCredential password = null;
      if (e.password() != null) {
        Optional<ResolvedCredential> r =
            open(b, tenantSecrets, e.password(), field + ".passwordSecretId");
        if (r.isEmpty()) {
          b.skip(EnvironmentLayout.prefix(e.name()) + "_*", field, b.lastReason);
          continue;
        }
        password = r.get();
      }
      SessionVariable.Source src = password == null ? null : source(password);
      EnvironmentLayout.endpointVariables(
              e, password == null ? null : password.value().revealUtf8(), pg)
          .forEach(
              (name, v) ->
                  b.put(
                      v.secret()
                          ? SessionVariable.secret(name, v.value(), src)
                          : SessionVariable.plain(name, v.value())));
    }
    if (personal) {
      for (EnvironmentContributor c : contributors.all()) {
        for (SessionVariable v : c.contribute(session, w)) {
          b.putIfFree(v, "integration");
        }
      }
    } else {
      for (int i = 0; i < w.tools().size(); i++) {
        Workroom.Tool t = w.tools().get(i);
        if (catalog.find(t.kind()).map(CredentialKind::isOAuth).orElse(false)) {
          b.skip(catalog.find(t.kind()).get().envVar("keyVar"), "tools[" + i + "]", NO_CONSENT);
        }
      }
    }
    return new Built(
        new Environment(session, List.copyOf(b.vars.values()), List.copyOf(b.skipped)),
        b.placeholders);
  }

  /** {@link #gitCredential(SessionInfo, String, String, String)} for git over https. */
  public Optional<dev.keyroom.crypto.SecretValue> gitCredential(
      SessionInfo session, String host, String fetchedBy) {
    return gitCredential(session, "https", host, fetchedBy);
  }

  /**
   * The session user's git token for git's credential helper, when the workroom enables the git
   * tool: the newest active token bound to {@code host} (see {@link dev.keyroom.vault.GitHosts}).
   * Empty when the user has no git token at all; a 403 naming the host and the rule (and a {@code
   * denied} audit row) when no token is bound to the host — git then gets no credential, so a
   * hostile remote or submodule that answers 401 learns nothing. Audited and recorded in the ledger
   * like an environment retrieval.
   */
  public Optional<dev.keyroom.crypto.SecretValue> gitCredential(
      SessionInfo session, String protocol, String host, String fetchedBy) {
    Workroom w = workrooms.get(session.tenant(), session.workroom());
    if (w.tool(EnvironmentLayout.GIT_TOKEN_KIND).isEmpty()) {
      throw new dev.keyroom.error.ForbiddenException(
          "this workroom does not enable the git tool (" + EnvironmentLayout.GIT_TOKEN_KIND + ")");
    }
    if (!consents.allows(session)) {
      throw new dev.keyroom.error.ForbiddenException(NO_CONSENT);
    }
    if (!dev.keyroom.vault.GitHosts.isValid(host)) {
      throw new dev.keyroom.error.InvalidInputException(
          "host", "must be a host name or IP address with an optional :port," + " as git sends it");
    }
    CredentialScope own = CredentialScope.integrationsOf(session.tenant(), session.user());
    List<CredentialInfo> tokens =
        vault.list(own).stream()
            .filter(c -> c.kind().equals(EnvironmentLayout.GIT_TOKEN_KIND) && c.isActive())
            .sorted(Comparator.comparingLong(CredentialInfo::updatedAt).reversed())
            .toList();
    if (tokens.isEmpty()) {
      return Optional.empty();
    }
    Optional<CredentialInfo> newest =
        tokens.stream()
            .filter(c -> dev.keyroom.vault.GitHosts.allows(c.hosts(), protocol, host))
            .findFirst();
    if (newest.isEmpty()) {
      String bound =
          String.join(
              ", ",
              tokens.stream()
                  .filter(c -> c.hosts() != null)
                  .flatMap(c -> c.hosts().stream())
                  .distinct()
                  .toList());
      db.jdbi()
          .useTransaction(
              h ->
                  audit.append(
                      h,
                      session.tenant(),
                      AuditEvent.of(fetchedBy, "session.git-credential")
                          .target("session", session.id().value())
                          .context(session.id().value(), session.workroom().value(), null)
                          .denied()
                          .with("host", host)
                          .with("reason", "host not bound")));
      throw new dev.keyroom.error.ForbiddenException(
          "host: git asked for a credential for '"
              + host
              + "', but the session"
              + " user's git tokens are bound only to "
              + (bound.isEmpty() ? "no host" : bound)
              + "; a git token is handed"
              + " only to the hosts it is bound to (its owner can change them on Profile → Integrations: hosts)");
    }
    ResolvedCredential r = vault.resolve(own, new CredentialId(newest.get().id()), null);
    long now = clock.millis();
    db.jdbi()
        .useTransaction(
            h -> {
              ledger.record(
                  h,
                  session.tenant(),
                  session.id(),
                  new CredentialId(r.info().id()),
                  r.info().version(),
                  List.of("git-credential"),
                  fetchedBy,
                  now);
              if (!vault
                  .staleDeliveries(
                      h,
                      session.tenant(),
                      Map.of(new CredentialId(r.info().id()), r.info().version()))
                  .isEmpty()) {
                throw new dev.keyroom.vault.CredentialRevokedException(
                    "the git token changed while it was being delivered; ask again");
              }
              audit.append(
                  h,
                  session.tenant(),
                  AuditEvent.of(fetchedBy, "session.git-credential")
                      .target("credential", r.info().id())
                      .context(session.id().value(), session.workroom().value(), null)
                      .with("host", host)
                      .with("version", r.info().version()));
            });
    vault.recordUse(
        session.tenant(),
        new CredentialId(r.info().id()),
        new CredentialInfo.LastUsed(
            now, session.id().value(), session.workroom().value(), null, session.user().value()));
    return Optional.of(r.value());
  }

  /** Every tenant secret the workroom names, to open them in one query. */
  private static List<CredentialId> tenantSecretIds(Workroom w) {
    List<CredentialId> ids = new ArrayList<>();
    w.tools().stream()
        .map(Workroom.Tool::credential)
        .filter(java.util.Objects::nonNull)
        .forEach(ids::add);
    if (w.network().tailscale() != null) {
      ids.add(w.network().tailscale());
    }
    w.network().endpoints().stream()
        .map(Workroom.Endpoint::password)
        .filter(java.util.Objects::nonNull)
        .forEach(ids::add);
    return ids;
  }

  private void userTool(
      Builder b,
      CredentialScope own,
      CredentialKind kind,
      List<CredentialInfo> integrations,
      String field) {
    List<CredentialInfo> mine =
        integrations.stream()
            .filter(c -> c.kind().equals(kind.id()) && c.isActive())
            .sorted(Comparator.comparingLong(CredentialInfo::updatedAt).reversed())
            .toList();
    b.opened.putAll(
        vault.resolveAll(
            own,
            (kind.nameIsEnvVar() ? mine : mine.stream().limit(1).toList())
                .stream()
                    .map(c -> new CredentialId(c.id()))
                    .filter(id -> !b.opened.containsKey(id))
                    .toList()));
    if (kind.nameIsEnvVar()) {
      for (CredentialInfo c : mine) {
        open(b, own, new CredentialId(c.id()), field)
            .ifPresent(
                r ->
                    b.putIfFree(
                        SessionVariable.secret(c.name(), r.value().revealUtf8(), source(r)),
                        "personal integration '" + c.name() + "'"));
      }
      return;
    }
    String var = kind.envVar("keyVar");
    if (mine.isEmpty()) {
      b.skip(
          var,
          field,
          "the session's user has no active " + kind.displayName() + " in Profile → Integrations");
      return;
    }
    open(b, own, new CredentialId(mine.get(0).id()), field)
        .ifPresent(
            r -> {
              if (var != null) {
                b.put(SessionVariable.secret(var, r.value().revealUtf8(), source(r)));
              }
              if ("git-credential".equals(kind.envVar("helper"))) {
                EnvironmentLayout.GIT_CONFIG.forEach((k, v) -> b.put(SessionVariable.plain(k, v)));
              }
            });
  }

  /** Opens a credential for delivery; a revoked or missing one is skipped with the reason. */
  private Optional<ResolvedCredential> open(
      Builder b, CredentialScope scope, CredentialId id, String field) {
    if (id == null) {
      b.lastReason = field + ": the secret it named was deleted; an admin must choose another";
      return Optional.empty();
    }
    ResolvedCredential cached = b.opened.get(id);
    if (cached != null) {
      return Optional.of(cached);
    }
    try {
      ResolvedCredential r = vault.resolve(scope, id, null);
      b.opened.put(id, r);
      return Optional.of(r);
    } catch (KeyroomException e) {
      b.lastReason = field + ": " + e.getMessage();
      return Optional.empty();
    }
  }

  private static SessionVariable.Source source(ResolvedCredential r) {
    return new SessionVariable.Source(new CredentialId(r.info().id()), r.info().version());
  }

  /**
   * Writes the retrieval's ledger rows, audit and last-used in one transaction. Returns false
   * (writing nothing) when a credential it read is no longer its active current version: the ledger
   * rows go first, then the re-check, so a revoke either sees them or is seen here.
   */
  private boolean record(Built built, String fetchedBy) {
    Environment env = built.env();
    SessionInfo s = env.session();
    long now = clock.millis();
    Map<SessionVariable.Source, List<String>> bySource = new LinkedHashMap<>();
    for (SessionVariable v : env.variables()) {
      if (v.source() != null) {
        bySource.computeIfAbsent(v.source(), k -> new ArrayList<>()).add(v.name());
      }
    }
    Map<CredentialId, Integer> delivered = new LinkedHashMap<>();
    bySource.keySet().forEach(src -> delivered.put(src.credential(), src.version()));
    built.placeholders().keySet().forEach(src -> delivered.put(src.credential(), src.version()));
    try {
      db.jdbi()
          .useTransaction(
              h -> {
                ledger.recordAll(
                    h,
                    s.tenant(),
                    s.id(),
                    Map.of(
                        DeliveryLedger.Form.VALUE,
                        bySource,
                        DeliveryLedger.Form.PLACEHOLDER,
                        built.placeholders()),
                    fetchedBy,
                    now);
                if (!vault.staleDeliveries(h, s.tenant(), delivered).isEmpty()) {
                  throw new StaleRetrieval();
                }
                audit.append(
                    h,
                    s.tenant(),
                    AuditEvent.of(fetchedBy, "session.environment")
                        .target("session", s.id().value())
                        .context(s.id().value(), s.workroom().value(), null)
                        .with("user", s.user().value())
                        .with("variables", env.variables().size())
                        .with(
                            "credentials",
                            String.join(
                                ",",
                                bySource.keySet().stream()
                                    .map(k -> k.credential() + "@" + k.version())
                                    .toList()))
                        .with("skipped", env.skipped().size()));
                vault.recordUses(
                    h,
                    s.tenant(),
                    bySource.keySet().stream().map(SessionVariable.Source::credential).toList(),
                    new CredentialInfo.LastUsed(
                        now, s.id().value(), s.workroom().value(), null, s.user().value()));
              });
      return true;
    } catch (StaleRetrieval e) {
      return false;
    }
  }

  /**
   * Rolls back a retrieval that read a credential which changed before its delivery was recorded.
   */
  private static final class StaleRetrieval extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StaleRetrieval() {
      super("stale retrieval", null, false, false);
    }
  }

  /** Collects variables in order; a name is set once. */
  private final class Builder {
    final Map<String, SessionVariable> vars = new LinkedHashMap<>();
    final List<Skipped> skipped = new ArrayList<>();

    /** Credentials opened in this retrieval (one password may serve several endpoints). */
    final Map<CredentialId, ResolvedCredential> opened = new java.util.HashMap<>();

    /** Placeholders handed out, by the key they stand for. */
    final Map<SessionVariable.Source, List<String>> placeholders = new LinkedHashMap<>();

    String lastReason;

    void put(SessionVariable v) {
      vars.put(v.name(), v);
    }

    void putIfFree(SessionVariable v, String source) {
      if (vars.containsKey(v.name())) {
        skipped.add(
            new Skipped(
                v.name(),
                source,
                "the workroom already sets " + v.name() + "; rename the integration"));
        return;
      }
      vars.put(v.name(), v);
    }

    void skip(String variable, String source, String reason) {
      skipped.add(new Skipped(variable, source, reason));
    }
  }
}
