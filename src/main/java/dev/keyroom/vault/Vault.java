package dev.keyroom.vault;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.catalog.Home;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.crypto.TenantKeys;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.error.PayloadTooLargeException;
import dev.keyroom.store.Database;
import dev.keyroom.store.Keyset;
import dev.keyroom.store.Page;
import dev.keyroom.tenancy.TenantId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * The encrypted vault. Values go in (encrypted at once with the tenant's data key and bound to
 * their row) and never come out through this API except by {@link #resolve}, which the proxy and
 * the session environment use for one delivery at a time.
 */
public final class Vault {
  public static final int MAX_VALUE_BYTES = 65_536;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,63}");
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final Database db;
  private final VaultStore store;
  private final Fingerprints fingerprints;
  private final TenantKeys keys;
  private final Catalog catalog;
  private final AuditLog audit;
  private final Skills skills;
  private final Clock clock;
  private final List<Consumer<CredentialChange>> listeners = new CopyOnWriteArrayList<>();
  private final List<Function<CredentialChange, AffectedSessions>> reporters =
      new CopyOnWriteArrayList<>();

  public Vault(
      Database db, TenantKeys keys, Catalog catalog, AuditLog audit, Skills skills, Clock clock) {
    this.db = db;
    this.store = new VaultStore(db);
    this.fingerprints = new Fingerprints(db, store, keys);
    this.keys = keys;
    this.catalog = catalog;
    this.audit = audit;
    this.skills = skills;
    this.clock = clock;
  }

  /** Registers a listener called after every revoke, replace and delete has committed. */
  public void onChange(Consumer<CredentialChange> listener) {
    listeners.add(listener);
  }

  /**
   * Registers a reaction called after every revoke, replace and delete has committed, whose report
   * (for example the live sessions it reached) goes back to the caller of the change.
   */
  public void onChangeReport(Function<CredentialChange, AffectedSessions> reporter) {
    reporters.add(reporter);
  }

  /** A committed change and what the reactions to it reached. */
  public record Changed(CredentialInfo credential, AffectedSessions affected) {}

  private AffectedSessions publish(CredentialChange change) {
    for (Consumer<CredentialChange> l : listeners) {
      l.accept(change);
    }
    AffectedSessions affected = AffectedSessions.NONE;
    for (Function<CredentialChange, AffectedSessions> r : reporters) {
      affected = affected.plus(r.apply(change));
    }
    return affected;
  }

  /** Stores a new credential in {@code scope}. The kind must live in that home. */
  public CredentialInfo create(
      CredentialScope scope, String kindId, String name, SecretValue value, String actor) {
    return create(scope, kindId, name, value, actor, (h, info) -> {});
  }

  /**
   * Stores a new credential bound to the git {@code hosts} its owner chose (null: the kind's
   * default hosts). Hosts are accepted only for kinds git may receive.
   */
  public CredentialInfo create(
      CredentialScope scope,
      String kindId,
      String name,
      SecretValue value,
      List<String> hosts,
      String actor) {
    return create(scope, kindId, name, value, hosts, actor, (h, info) -> {});
  }

  /**
   * Stores a new credential and runs {@code alsoInTransaction} in the same transaction, so rows
   * that describe the credential (an OAuth integration's metadata) commit with it or not at all.
   */
  public CredentialInfo create(
      CredentialScope scope,
      String kindId,
      String name,
      SecretValue value,
      String actor,
      java.util.function.BiConsumer<Handle, CredentialInfo> alsoInTransaction) {
    return create(scope, kindId, name, value, null, actor, alsoInTransaction);
  }

  private CredentialInfo create(
      CredentialScope scope,
      String kindId,
      String name,
      SecretValue value,
      List<String> chosenHosts,
      String actor,
      java.util.function.BiConsumer<Handle, CredentialInfo> alsoInTransaction) {
    CredentialKind kind = catalog.require(kindId, "kind");
    requireHome(kind, scope.home());
    checkName(kind, name);
    checkValue(value);
    ValueRules.check(kind, value);
    List<String> hosts = GitHosts.forKind(kind, chosenHosts);
    CredentialId id = CredentialId.generate();
    long now = clock.millis();
    return db.jdbi()
        .inTransaction(
            h -> {
              if (store.nameTaken(h, scope, kind.id(), name)
                  || !store.insertCredential(h, scope, id, kind.id(), name, hosts, now)) {
                throw nameTaken(scope, kind.id(), name);
              }
              String fingerprint = insertVersion(h, scope, id, kind.id(), 1, value, now);
              AuditEvent event =
                  AuditEvent.of(
                          actor,
                          scope.home() == Home.TENANT ? "secret.create" : "integration.create")
                      .target("credential", id.value())
                      .with("kind", kind.id())
                      .with("name", name)
                      .with("version", 1);
              if (hosts != null) {
                event = event.with("hosts", GitHosts.toColumn(hosts));
              }
              audit.append(h, scope.tenant(), withFingerprint(event, scope, fingerprint));
              CredentialInfo created = store.info(h, scope, id).orElseThrow();
              alsoInTransaction.accept(h, created);
              return created;
            });
  }

  public List<CredentialInfo> list(CredentialScope scope) {
    return db.jdbi()
        .withHandle(
            h -> {
              List<CredentialInfo> out = new ArrayList<>();
              for (CredentialId id : store.ids(h, scope)) {
                store.info(h, scope, id).ifPresent(out::add);
              }
              return out;
            });
  }

  /**
   * What a search of a scope's credentials matches (null: anything): a name containing {@code text}
   * in any case, or a kind among {@code kindsNamed} (the kinds whose name holds the text); only
   * kind {@code kind} and only the name {@code name} (exactly) when they are set. {@link
   * CredentialQuery#search} builds one from what a person typed.
   */
  public record Search(String text, List<String> kindsNamed, String kind, String name) {
    public static final Search ANY = new Search(null, List.of(), null, null);

    public Search {
      kindsNamed = kindsNamed == null ? List.of() : List.copyOf(kindsNamed);
    }
  }

  /** The most credentials one page may hold. */
  public static final int MAX_PAGE = 200;

  /**
   * One page of the scope's credentials by kind, then name: from the start, or next to a (kind,
   * name) position ({@link CredentialQuery#start}).
   */
  public Page<CredentialInfo> page(
      CredentialScope scope, Search search, Keyset.From from, int size) {
    if (size < 1 || size > MAX_PAGE) {
      throw new IllegalArgumentException("a page of credentials holds 1 to " + MAX_PAGE + " rows");
    }
    return db.jdbi()
        .withHandle(
            h -> {
              Page<CredentialId> ids = store.idsPage(h, scope, search, from, size);
              List<CredentialInfo> out = new ArrayList<>();
              for (CredentialId id : ids.rows()) {
                store.info(h, scope, id).ifPresent(out::add);
              }
              return new Page<>(out, ids.hasPrevious(), ids.hasNext());
            });
  }

  public CredentialInfo get(CredentialScope scope, CredentialId id) {
    return db.jdbi()
        .withHandle(h -> store.info(h, scope, id))
        .orElseThrow(() -> new NotFoundException("no credential with that id"));
  }

  /** Replaces the value in place: a new version, same id, name and grants. */
  public CredentialInfo replace(
      CredentialScope scope, CredentialId id, SecretValue value, String actor) {
    return replaceReported(scope, id, value, actor).credential();
  }

  /**
   * {@link #replace}, also saying what the change reached (live sessions holding the old value).
   */
  public Changed replaceReported(
      CredentialScope scope, CredentialId id, SecretValue value, String actor) {
    checkValue(value);
    long now = clock.millis();
    CredentialInfo replaced =
        db.jdbi()
            .inTransaction(
                h -> {
                  VaultStore.LockedRow row = lockRow(h, scope, id);
                  if (!row.isActive()) {
                    throw new ConflictException(
                        "credential is revoked; revocation is final — create a new credential instead");
                  }
                  int version = row.currentVersion() + 1;
                  String kind = row.kind();
                  checkFormat(kind, value);
                  store.supersedeActiveVersions(h, id);
                  String fingerprint = insertVersion(h, scope, id, kind, version, value, now);
                  store.setCurrentVersion(h, id, version, now);
                  audit.append(
                      h,
                      scope.tenant(),
                      withFingerprint(
                          AuditEvent.of(actor, prefix(scope) + ".replace")
                              .target("credential", id.value())
                              .with("kind", kind)
                              .with("version", version),
                          scope,
                          fingerprint));
                  return store.info(h, scope, id).orElseThrow();
                });
    AffectedSessions reach =
        publish(
            new CredentialChange(
                scope.tenant(),
                scope,
                id,
                replaced.kind(),
                CredentialChange.Type.REPLACED,
                replaced.version(),
                actor));
    return new Changed(replaced, reach);
  }

  /**
   * Renews the value of a credential whose earlier values must not be kept — OAuth tokens after a
   * refresh: a new version is written, superseded ciphertexts are destroyed, and {@code
   * alsoInTransaction} runs in the same transaction. No change event is published: the credential
   * is the same connection with fresher tokens, so live sessions are not disturbed.
   */
  public CredentialInfo renew(
      CredentialScope scope,
      CredentialId id,
      SecretValue value,
      String actor,
      java.util.function.Consumer<Handle> alsoInTransaction) {
    checkValue(value);
    long now = clock.millis();
    return db.jdbi()
        .inTransaction(
            h -> {
              VaultStore.LockedRow row = lockRow(h, scope, id);
              if (!row.isActive()) {
                throw new ConflictException(
                    "credential is revoked; revocation is final — create a new credential instead");
              }
              int version = row.currentVersion() + 1;
              String kind = row.kind();
              checkFormat(kind, value);
              store.deleteVersions(h, scope.tenant(), id);
              String fingerprint = insertVersion(h, scope, id, kind, version, value, now);
              store.setCurrentVersion(h, id, version, now);
              audit.append(
                  h,
                  scope.tenant(),
                  withFingerprint(
                      AuditEvent.of(actor, prefix(scope) + ".renew")
                          .target("credential", id.value())
                          .with("kind", kind)
                          .with("version", version),
                      scope,
                      fingerprint));
              alsoInTransaction.accept(h);
              return store.info(h, scope, id).orElseThrow();
            });
  }

  /**
   * Revokes the credential, or one version of it. Revoking the current version (or the whole
   * credential) stops every use at once: {@link #resolve} refuses from the next call on.
   */
  public CredentialInfo revoke(
      CredentialScope scope, CredentialId id, Integer version, String actor) {
    return revokeReported(scope, id, version, actor).credential();
  }

  /** {@link #revoke}, also saying what the change reached (live sessions holding a copy). */
  public Changed revokeReported(
      CredentialScope scope, CredentialId id, Integer version, String actor) {
    long now = clock.millis();
    CredentialInfo revoked =
        db.jdbi()
            .inTransaction(
                h -> {
                  VaultStore.LockedRow row = lockRow(h, scope, id);
                  if (version == null || version == row.currentVersion()) {
                    store.markRevoked(h, id, now);
                  }
                  int changed = store.revokeVersions(h, id, version, now);
                  if (version != null && changed == 0 && !store.versionExists(h, id, version)) {
                    throw new NotFoundException("credential has no version " + version);
                  }
                  audit.append(
                      h,
                      scope.tenant(),
                      AuditEvent.of(actor, prefix(scope) + ".revoke")
                          .target("credential", id.value())
                          .with("kind", row.kind())
                          .with("version", version == null ? "all" : version.toString()));
                  return store.info(h, scope, id).orElseThrow();
                });
    AffectedSessions reach =
        publish(
            new CredentialChange(
                scope.tenant(),
                scope,
                id,
                revoked.kind(),
                CredentialChange.Type.REVOKED,
                version == null ? revoked.version() : version,
                actor));
    return new Changed(revoked, reach);
  }

  /** Deletes the credential and destroys every ciphertext of it. */
  public void delete(CredentialScope scope, CredentialId id, String actor) {
    VaultStore.LockedRow deleted =
        db.jdbi()
            .inTransaction(
                h -> {
                  VaultStore.LockedRow row = lockRow(h, scope, id);
                  store.deleteVersions(h, scope.tenant(), id);
                  store.deleteCredential(h, scope.tenant(), id);
                  audit.append(
                      h,
                      scope.tenant(),
                      AuditEvent.of(actor, prefix(scope) + ".delete")
                          .target("credential", id.value())
                          .with("kind", row.kind())
                          .with("name", row.name()));
                  return row;
                });
    publish(
        new CredentialChange(
            scope.tenant(),
            scope,
            id,
            deleted.kind(),
            CredentialChange.Type.DELETED,
            deleted.currentVersion(),
            actor));
  }

  /**
   * Binds a git credential to other hosts (its owner's choice). Live sessions ask for the token per
   * request, so the new hosts hold from git's next request on.
   */
  public CredentialInfo setHosts(
      CredentialScope scope, CredentialId id, List<String> hosts, String actor) {
    long now = clock.millis();
    return db.jdbi()
        .inTransaction(
            h -> {
              VaultStore.LockedRow row = lockRow(h, scope, id);
              CredentialKind kind = catalog.require(row.kind(), "kind");
              List<String> bound = GitHosts.forKind(kind, hosts == null ? List.of() : hosts);
              store.setHosts(h, id, bound, now);
              audit.append(
                  h,
                  scope.tenant(),
                  AuditEvent.of(actor, prefix(scope) + ".hosts")
                      .target("credential", id.value())
                      .with("kind", row.kind())
                      .with("hosts", GitHosts.toColumn(bound)));
              return store.info(h, scope, id).orElseThrow();
            });
  }

  /**
   * Computes the fingerprint of every stored version that has none (migration V7 cleared the
   * fingerprints that were keyed per tenant only). Runs at start; see {@link
   * Fingerprints#recomputeCleared}.
   */
  public int refingerprint() {
    return fingerprints.recomputeCleared();
  }

  /**
   * Opens the current version of a credential for one use (proxy, session environment). Refuses
   * revoked credentials. When {@code skill} is named, the skill must use the kind.
   */
  public ResolvedCredential resolve(CredentialScope scope, CredentialId id, String skill) {
    return db.jdbi()
        .withHandle(
            h -> {
              CredentialInfo info =
                  store
                      .info(h, scope, id)
                      .orElseThrow(() -> new NotFoundException("no credential with that id"));
              if (!info.isActive()) {
                throw new CredentialRevokedException("credential " + id + " is revoked");
              }
              if (skill != null && scope.home() == Home.TENANT) {
                skills.requireUses(h, scope.tenant(), skill, info.kind());
              }
              Optional<VaultStore.StoredVersion> v =
                  store.version(h, scope.tenant(), id, info.version());
              if (v.isEmpty() || !"active".equals(v.get().status())) {
                throw new CredentialRevokedException(
                    "the current version of credential " + id + " is revoked");
              }
              byte[] aad =
                  new CredentialAad(
                          scope.tenant(),
                          scope.home(),
                          scope.owner(),
                          id,
                          info.version(),
                          info.kind())
                      .encode();
              byte[] plain =
                  keys.decrypt(
                      scope.tenant(), B64D.decode(v.get().ciphertext()), aad, "credential " + id);
              return new ResolvedCredential(info, SecretValue.ofBytes(plain));
            });
  }

  /**
   * Opens the current versions of several credentials of one scope in one query (a session's
   * environment). Ids that are unknown, revoked or whose current version is revoked are left out;
   * {@link #resolve} says why for one of them.
   */
  public Map<CredentialId, ResolvedCredential> resolveAll(
      CredentialScope scope, java.util.Collection<CredentialId> ids) {
    Map<CredentialId, ResolvedCredential> out = new LinkedHashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    List<VaultStore.Current> rows = db.jdbi().withHandle(h -> store.current(h, scope, ids));
    for (VaultStore.Current r : rows) {
      if (!r.info().isActive() || !"active".equals(r.versionStatus())) {
        continue;
      }
      CredentialInfo info = r.info();
      CredentialId id = new CredentialId(info.id());
      byte[] aad =
          new CredentialAad(
                  scope.tenant(), scope.home(), scope.owner(), id, info.version(), info.kind())
              .encode();
      byte[] plain =
          keys.decrypt(scope.tenant(), B64D.decode(r.ciphertext()), aad, "credential " + id);
      out.put(id, new ResolvedCredential(info, SecretValue.ofBytes(plain)));
    }
    return out;
  }

  /** Finds the scope of a credential by id within a tenant (for the proxy and sessions). */
  public Optional<CredentialScope> scopeOf(TenantId tenant, CredentialId id) {
    return db.jdbi().withHandle(h -> store.scopeOf(h, tenant, id));
  }

  /** Records the most recent use (proxy and session delivery call this). */
  public void recordUse(TenantId tenant, CredentialId id, CredentialInfo.LastUsed use) {
    db.jdbi().useHandle(h -> recordUse(h, tenant, id, use));
  }

  /**
   * Records the most recent use inside the caller's transaction (one write for many credentials).
   */
  public void recordUse(Handle h, TenantId tenant, CredentialId id, CredentialInfo.LastUsed use) {
    store.recordUse(h, tenant, id, use);
  }

  /** Records the same use of several credentials in one batch, inside the caller's transaction. */
  public void recordUses(
      Handle h, TenantId tenant, List<CredentialId> ids, CredentialInfo.LastUsed use) {
    if (ids.isEmpty()) {
      return;
    }
    store.recordUses(h, tenant, ids, use);
  }

  /** Re-encrypts every stored version of a tenant with its current primary data key. */
  public int reEncryptAll(TenantId tenant, String actor) {
    List<VaultStore.VersionRef> rows = db.jdbi().withHandle(h -> store.versionsOf(h, tenant));
    int done = 0;
    for (VaultStore.VersionRef r : rows) {
      CredentialId id = r.id();
      int version = r.version();
      byte[] aad = new CredentialAad(tenant, r.home(), r.owner(), id, version, r.kind()).encode();
      db.jdbi()
          .useTransaction(
              h -> {
                Optional<String> ct = store.lockCiphertext(h, id, version);
                if (ct.isEmpty()) {
                  return;
                }
                byte[] plain = keys.decrypt(tenant, B64D.decode(ct.get()), aad, "credential " + id);
                try {
                  store.setCiphertext(
                      h, id, version, B64.encodeToString(keys.encrypt(tenant, plain, aad)));
                } finally {
                  Arrays.fill(plain, (byte) 0);
                }
              });
      done++;
    }
    audit.record(
        tenant,
        AuditEvent.of(actor, "tenant.reencrypt")
            .target("tenant", tenant.value())
            .with("versions", done));
    return done;
  }

  private String insertVersion(
      Handle h,
      CredentialScope scope,
      CredentialId id,
      String kind,
      int version,
      SecretValue value,
      long now) {
    byte[] plain = value.reveal();
    try {
      byte[] aad =
          new CredentialAad(scope.tenant(), scope.home(), scope.owner(), id, version, kind)
              .encode();
      String ciphertext = B64.encodeToString(keys.encrypt(scope.tenant(), plain, aad));
      String fingerprint = fingerprints.of(scope, plain);
      store.insertVersion(
          h, scope.tenant(), id, version, ciphertext, hint(value), fingerprint, now);
      return fingerprint;
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /**
   * A member's fingerprints are shown to that member only: the audit log (read by admins) records
   * the fingerprints of tenant secrets, never of a user's integrations.
   */
  private static AuditEvent withFingerprint(
      AuditEvent event, CredentialScope scope, String fingerprint) {
    return scope.home() == Home.TENANT ? event.with("fingerprint", fingerprint) : event;
  }

  private void checkFormat(String kindId, SecretValue value) {
    catalog.find(kindId).ifPresent(kind -> ValueRules.check(kind, value));
  }

  /** "…abcd" for values of 16 or more characters; nothing for shorter ones (too revealing). */
  static String hint(SecretValue value) {
    String s = value.revealUtf8();
    int n = s.codePointCount(0, s.length());
    if (n < 16) {
      return null;
    }
    return "…" + s.substring(s.offsetByCodePoints(0, n - 4));
  }

  /** Names are unique per kind: the message names the kind and the name that clash (409). */
  private static ConflictException nameTaken(CredentialScope scope, String kind, String name) {
    return new ConflictException(
        "name: a credential of kind '"
            + kind
            + "' named '"
            + name
            + "' already exists in "
            + scope.home().place()
            + " (names are unique per kind; another kind may use the same name)");
  }

  private VaultStore.LockedRow lockRow(Handle h, CredentialScope scope, CredentialId id) {
    return store
        .lock(h, scope, id)
        .orElseThrow(() -> new NotFoundException("no credential with that id"));
  }

  private static void requireHome(CredentialKind kind, Home home) {
    if (kind.home() != home) {
      String where =
          kind.home() == Home.TENANT
              ? "Config → Secrets (/api/v1/secrets)"
              : "Profile → Integrations (/api/v1/me/integrations)";
      String notIn = home == Home.TENANT ? "tenant skill secrets" : "a user's integrations";
      throw new InvalidInputException(
          "kind", "kind '" + kind.id() + "' lives in " + where + ", not in " + notIn);
    }
  }

  private static void checkName(CredentialKind kind, String name) {
    if (kind.nameIsEnvVar()) {
      if (name == null || !ENV_NAME.matcher(name).matches()) {
        throw new InvalidInputException(
            "name",
            "for kind '"
                + kind.id()
                + "' the name is the environment variable:"
                + " 1-64 characters of A-Z, 0-9 and _, not starting with a digit");
      }
      return;
    }
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "name",
          "must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
  }

  static void checkValue(SecretValue value) {
    if (value == null) {
      throw new InvalidInputException("value", "is required");
    }
    if (value.length() == 0) {
      throw new InvalidInputException("value", "must not be empty");
    }
    if (value.length() > MAX_VALUE_BYTES) {
      throw new PayloadTooLargeException(
          "value must be at most " + MAX_VALUE_BYTES + " bytes (got " + value.length() + ")");
    }
    for (byte b : value.reveal()) {
      if (b == 0) {
        throw new InvalidInputException(
            "value",
            "must not contain NUL characters (it could not be delivered as an environment variable)");
      }
    }
  }

  private static String prefix(CredentialScope scope) {
    return scope.home() == Home.TENANT ? "secret" : "integration";
  }

  /**
   * Of the given credential versions about to be recorded as delivered, those that are no longer
   * the active current version. Run inside the delivering transaction after its ledger rows are
   * written: on PostgreSQL the rows are locked FOR SHARE, so a concurrent revoke or replace either
   * commits first (and is seen here) or waits until the delivery commits (and then finds it in the
   * ledger); SQLite has one writer at a time, which orders the two the same way.
   */
  public java.util.Set<CredentialId> staleDeliveries(
      Handle h, TenantId tenant, Map<CredentialId, Integer> versions) {
    if (versions.isEmpty()) {
      return java.util.Set.of();
    }
    Map<String, Integer> current = store.activeCurrentVersions(h, tenant, versions.keySet());
    java.util.Set<CredentialId> stale = new java.util.HashSet<>();
    versions.forEach(
        (id, version) -> {
          if (!version.equals(current.get(id.value()))) {
            stale.add(id);
          }
        });
    return stale;
  }
}
