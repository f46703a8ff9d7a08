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
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import java.sql.ResultSet;
import java.sql.SQLException;
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
  private final TenantKeys keys;
  private final Catalog catalog;
  private final AuditLog audit;
  private final Skills skills;
  private final Clock clock;
  private final List<Consumer<CredentialChange>> listeners = new CopyOnWriteArrayList<>();
  private final List<Function<CredentialChange, AffectedSessions>> reporters = new CopyOnWriteArrayList<>();

  public Vault(Database db, TenantKeys keys, Catalog catalog, AuditLog audit, Skills skills, Clock clock) {
    this.db = db;
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
   * Registers a reaction called after every revoke, replace and delete has committed, whose
   * report (for example the live sessions it reached) goes back to the caller of the change.
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
  public CredentialInfo create(CredentialScope scope, String kindId, String name, SecretValue value, String actor) {
    return create(scope, kindId, name, value, actor, (h, info) -> { });
  }

  /**
   * Stores a new credential and runs {@code alsoInTransaction} in the same transaction, so rows
   * that describe the credential (an OAuth integration's metadata) commit with it or not at all.
   */
  public CredentialInfo create(CredentialScope scope, String kindId, String name, SecretValue value, String actor,
      java.util.function.BiConsumer<Handle, CredentialInfo> alsoInTransaction) {
    CredentialKind kind = catalog.require(kindId, "kind");
    requireHome(kind, scope.home());
    checkName(kind, name);
    checkValue(value);
    CredentialId id = CredentialId.generate();
    long now = clock.millis();
    return db.jdbi().inTransaction(h -> {
      if (h.createQuery("SELECT COUNT(*) FROM credentials WHERE tenant_id = :t AND home = :home AND owner_key = :o AND name = :n")
          .bind("t", scope.tenant().value()).bind("home", scope.home().wire()).bind("o", scope.ownerKey()).bind("n", name)
          .mapTo(Integer.class).one() > 0) {
        throw new ConflictException("name: a credential named '" + name + "' already exists in " + scope.home().place());
      }
      h.createUpdate("INSERT INTO credentials (id, tenant_id, home, owner_user_id, owner_key, kind, name, current_version,"
              + " status, created_at, updated_at) VALUES (:id, :t, :home, :owner, :o, :kind, :name, 1, 'active', :now, :now)")
          .bind("id", id.value()).bind("t", scope.tenant().value()).bind("home", scope.home().wire())
          .bind("owner", scope.owner() == null ? null : scope.owner().value()).bind("o", scope.ownerKey())
          .bind("kind", kind.id()).bind("name", name).bind("now", now).execute();
      String fingerprint = insertVersion(h, scope, id, kind.id(), 1, value, now);
      audit.append(h, scope.tenant(), AuditEvent.of(actor, scope.home() == Home.TENANT ? "secret.create" : "integration.create")
          .target("credential", id.value()).with("kind", kind.id()).with("name", name).with("version", 1)
          .with("fingerprint", fingerprint));
      CredentialInfo created = info(h, scope, id).orElseThrow();
      alsoInTransaction.accept(h, created);
      return created;
    });
  }

  public List<CredentialInfo> list(CredentialScope scope) {
    return db.jdbi().withHandle(h -> {
      List<CredentialInfo> out = new ArrayList<>();
      for (CredentialId id : h.createQuery("SELECT id FROM credentials WHERE tenant_id = :t AND home = :home AND owner_key = :o ORDER BY kind, name")
          .bind("t", scope.tenant().value()).bind("home", scope.home().wire()).bind("o", scope.ownerKey())
          .mapTo(String.class).map(CredentialId::new).list()) {
        info(h, scope, id).ifPresent(out::add);
      }
      return out;
    });
  }

  public CredentialInfo get(CredentialScope scope, CredentialId id) {
    return db.jdbi().withHandle(h -> info(h, scope, id)).orElseThrow(() -> new NotFoundException("no credential with that id"));
  }

  /** Replaces the value in place: a new version, same id, name and grants. */
  public CredentialInfo replace(CredentialScope scope, CredentialId id, SecretValue value, String actor) {
    return replaceReported(scope, id, value, actor).credential();
  }

  /** {@link #replace}, also saying what the change reached (live sessions holding the old value). */
  public Changed replaceReported(CredentialScope scope, CredentialId id, SecretValue value, String actor) {
    checkValue(value);
    long now = clock.millis();
    CredentialInfo replaced = db.jdbi().inTransaction(h -> {
      Map<String, Object> row = lockRow(h, scope, id);
      if (!"active".equals(row.get("status"))) {
        throw new ConflictException("credential is revoked; revocation is final — create a new credential instead");
      }
      int version = ((Number) row.get("current_version")).intValue() + 1;
      String kind = (String) row.get("kind");
      h.createUpdate("UPDATE credential_versions SET status = 'superseded' WHERE credential_id = :id AND status = 'active'")
          .bind("id", id.value()).execute();
      String fingerprint = insertVersion(h, scope, id, kind, version, value, now);
      h.createUpdate("UPDATE credentials SET current_version = :v, updated_at = :now WHERE id = :id")
          .bind("v", version).bind("now", now).bind("id", id.value()).execute();
      audit.append(h, scope.tenant(), AuditEvent.of(actor, prefix(scope) + ".replace").target("credential", id.value())
          .with("kind", kind).with("version", version).with("fingerprint", fingerprint));
      return info(h, scope, id).orElseThrow();
    });
    AffectedSessions reach = publish(new CredentialChange(scope.tenant(), scope, id, replaced.kind(),
        CredentialChange.Type.REPLACED, replaced.version(), actor));
    return new Changed(replaced, reach);
  }

  /**
   * Renews the value of a credential whose earlier values must not be kept — OAuth tokens after a
   * refresh: a new version is written, superseded ciphertexts are destroyed, and
   * {@code alsoInTransaction} runs in the same transaction. No change event is published: the
   * credential is the same connection with fresher tokens, so live sessions are not disturbed.
   */
  public CredentialInfo renew(CredentialScope scope, CredentialId id, SecretValue value, String actor,
      java.util.function.Consumer<Handle> alsoInTransaction) {
    checkValue(value);
    long now = clock.millis();
    return db.jdbi().inTransaction(h -> {
      Map<String, Object> row = lockRow(h, scope, id);
      if (!"active".equals(row.get("status"))) {
        throw new ConflictException("credential is revoked; revocation is final — create a new credential instead");
      }
      int version = ((Number) row.get("current_version")).intValue() + 1;
      String kind = (String) row.get("kind");
      h.createUpdate("DELETE FROM credential_versions WHERE credential_id = :id AND tenant_id = :t")
          .bind("id", id.value()).bind("t", scope.tenant().value()).execute();
      String fingerprint = insertVersion(h, scope, id, kind, version, value, now);
      h.createUpdate("UPDATE credentials SET current_version = :v, updated_at = :now WHERE id = :id")
          .bind("v", version).bind("now", now).bind("id", id.value()).execute();
      audit.append(h, scope.tenant(), AuditEvent.of(actor, prefix(scope) + ".renew").target("credential", id.value())
          .with("kind", kind).with("version", version).with("fingerprint", fingerprint));
      alsoInTransaction.accept(h);
      return info(h, scope, id).orElseThrow();
    });
  }

  /**
   * Revokes the credential, or one version of it. Revoking the current version (or the whole
   * credential) stops every use at once: {@link #resolve} refuses from the next call on.
   */
  public CredentialInfo revoke(CredentialScope scope, CredentialId id, Integer version, String actor) {
    return revokeReported(scope, id, version, actor).credential();
  }

  /** {@link #revoke}, also saying what the change reached (live sessions holding a copy). */
  public Changed revokeReported(CredentialScope scope, CredentialId id, Integer version, String actor) {
    long now = clock.millis();
    CredentialInfo revoked = db.jdbi().inTransaction(h -> {
      Map<String, Object> row = lockRow(h, scope, id);
      int current = ((Number) row.get("current_version")).intValue();
      if (version == null || version == current) {
        h.createUpdate("UPDATE credentials SET status = 'revoked', updated_at = :now WHERE id = :id")
            .bind("now", now).bind("id", id.value()).execute();
      }
      String which = version == null ? "status <> 'revoked'" : "version = :v AND status <> 'revoked'";
      int changed = h.createUpdate("UPDATE credential_versions SET status = 'revoked', revoked_at = :now WHERE credential_id = :id AND " + which)
          .bind("now", now).bind("id", id.value()).bind("v", version == null ? 0 : version).execute();
      if (version != null && changed == 0 && h.createQuery("SELECT COUNT(*) FROM credential_versions WHERE credential_id = :id AND version = :v")
          .bind("id", id.value()).bind("v", version).mapTo(Integer.class).one() == 0) {
        throw new NotFoundException("credential has no version " + version);
      }
      audit.append(h, scope.tenant(), AuditEvent.of(actor, prefix(scope) + ".revoke").target("credential", id.value())
          .with("kind", (String) row.get("kind")).with("version", version == null ? "all" : version.toString()));
      return info(h, scope, id).orElseThrow();
    });
    AffectedSessions reach = publish(new CredentialChange(scope.tenant(), scope, id, revoked.kind(),
        CredentialChange.Type.REVOKED, version == null ? revoked.version() : version, actor));
    return new Changed(revoked, reach);
  }

  /** Deletes the credential and destroys every ciphertext of it. */
  public void delete(CredentialScope scope, CredentialId id, String actor) {
    Map<String, Object> deleted = db.jdbi().inTransaction(h -> {
      Map<String, Object> row = lockRow(h, scope, id);
      h.createUpdate("DELETE FROM credential_versions WHERE credential_id = :id AND tenant_id = :t")
          .bind("id", id.value()).bind("t", scope.tenant().value()).execute();
      h.createUpdate("DELETE FROM credentials WHERE id = :id AND tenant_id = :t")
          .bind("id", id.value()).bind("t", scope.tenant().value()).execute();
      audit.append(h, scope.tenant(), AuditEvent.of(actor, prefix(scope) + ".delete").target("credential", id.value())
          .with("kind", (String) row.get("kind")).with("name", (String) row.get("name")));
      return row;
    });
    publish(new CredentialChange(scope.tenant(), scope, id, (String) deleted.get("kind"), CredentialChange.Type.DELETED,
        ((Number) deleted.get("current_version")).intValue(), actor));
  }

  /**
   * Opens the current version of a credential for one use (proxy, session environment).
   * Refuses revoked credentials. When {@code skill} is named, the skill must use the kind.
   */
  public ResolvedCredential resolve(CredentialScope scope, CredentialId id, String skill) {
    return db.jdbi().withHandle(h -> {
      CredentialInfo info = info(h, scope, id).orElseThrow(() -> new NotFoundException("no credential with that id"));
      if (!info.isActive()) {
        throw new CredentialRevokedException("credential " + id + " is revoked");
      }
      if (skill != null && scope.home() == Home.TENANT) {
        skills.requireUses(h, scope.tenant(), skill, info.kind());
      }
      Optional<Map<String, String>> v = h.createQuery("SELECT ciphertext, status FROM credential_versions"
              + " WHERE credential_id = :id AND tenant_id = :t AND version = :v")
          .bind("id", id.value()).bind("t", scope.tenant().value()).bind("v", info.version()).mapToMap(String.class).findOne();
      if (v.isEmpty() || !"active".equals(v.get().get("status"))) {
        throw new CredentialRevokedException("the current version of credential " + id + " is revoked");
      }
      byte[] aad = new CredentialAad(scope.tenant(), scope.home(), scope.owner(), id, info.version(), info.kind()).encode();
      byte[] plain = keys.decrypt(scope.tenant(), B64D.decode((String) v.get().get("ciphertext")), aad, "credential " + id);
      return new ResolvedCredential(info, SecretValue.ofBytes(plain));
    });
  }

  /**
   * Opens the current versions of several credentials of one scope in one query (a session's
   * environment). Ids that are unknown, revoked or whose current version is revoked are left
   * out; {@link #resolve} says why for one of them.
   */
  public Map<CredentialId, ResolvedCredential> resolveAll(CredentialScope scope, java.util.Collection<CredentialId> ids) {
    Map<CredentialId, ResolvedCredential> out = new LinkedHashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    List<Map<String, Object>> rows = db.jdbi().withHandle(h -> h.createQuery("SELECT c.id, c.kind, c.name, c.home,"
            + " c.owner_user_id, c.current_version, c.status, c.created_at, c.updated_at, v.ciphertext, v.status AS vstatus"
            + " FROM credentials c JOIN credential_versions v ON v.credential_id = c.id AND v.version = c.current_version"
            + " WHERE c.tenant_id = :t AND c.home = :home AND c.owner_key = :o AND c.id IN (<ids>)")
        .bind("t", scope.tenant().value()).bind("home", scope.home().wire()).bind("o", scope.ownerKey())
        .bindList("ids", ids.stream().map(CredentialId::value).distinct().toList()).mapToMap().list());
    for (Map<String, Object> r : rows) {
      if (!"active".equals(r.get("status")) || !"active".equals(r.get("vstatus"))) {
        continue;
      }
      CredentialId id = new CredentialId((String) r.get("id"));
      int version = ((Number) r.get("current_version")).intValue();
      String kind = (String) r.get("kind");
      CredentialInfo info = new CredentialInfo(id.value(), kind, (String) r.get("name"), (String) r.get("home"),
          (String) r.get("owner_user_id"), version, "active", null, null, ((Number) r.get("created_at")).longValue(),
          ((Number) r.get("updated_at")).longValue(), null, List.of());
      byte[] aad = new CredentialAad(scope.tenant(), scope.home(), scope.owner(), id, version, kind).encode();
      byte[] plain = keys.decrypt(scope.tenant(), B64D.decode((String) r.get("ciphertext")), aad, "credential " + id);
      out.put(id, new ResolvedCredential(info, SecretValue.ofBytes(plain)));
    }
    return out;
  }

  /** Finds the scope of a credential by id within a tenant (for the proxy and sessions). */
  public Optional<CredentialScope> scopeOf(TenantId tenant, CredentialId id) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT home, owner_user_id FROM credentials WHERE tenant_id = :t AND id = :id")
        .bind("t", tenant.value()).bind("id", id.value())
        .map((rs, ctx) -> new CredentialScope(tenant, Home.fromWire(rs.getString("home")),
            rs.getString("owner_user_id") == null ? null : new UserId(rs.getString("owner_user_id"))))
        .findOne());
  }

  /** Records the most recent use (proxy and session delivery call this). */
  public void recordUse(TenantId tenant, CredentialId id, CredentialInfo.LastUsed use) {
    db.jdbi().useHandle(h -> recordUse(h, tenant, id, use));
  }

  /** Records the most recent use inside the caller's transaction (one write for many credentials). */
  public void recordUse(Handle h, TenantId tenant, CredentialId id, CredentialInfo.LastUsed use) {
    h.createUpdate("UPDATE credentials SET last_used_at = :at, last_used_session = :s,"
            + " last_used_workroom = :w, last_used_skill = :k, last_used_user = :u WHERE tenant_id = :t AND id = :id"
            + " AND (last_used_at IS NULL OR last_used_at <= :at)")
        .bind("at", use.at()).bind("s", use.sessionId()).bind("w", use.workroomId()).bind("k", use.skill())
        .bind("u", use.userId()).bind("t", tenant.value()).bind("id", id.value()).execute();
  }

  /** Records the same use of several credentials in one batch, inside the caller's transaction. */
  public void recordUses(Handle h, TenantId tenant, List<CredentialId> ids, CredentialInfo.LastUsed use) {
    if (ids.isEmpty()) {
      return;
    }
    var batch = h.prepareBatch("UPDATE credentials SET last_used_at = :at, last_used_session = :s,"
        + " last_used_workroom = :w, last_used_skill = :k, last_used_user = :u WHERE tenant_id = :t AND id = :id"
        + " AND (last_used_at IS NULL OR last_used_at <= :at)");
    for (CredentialId id : ids) {
      batch.bind("at", use.at()).bind("s", use.sessionId()).bind("w", use.workroomId()).bind("k", use.skill())
          .bind("u", use.userId()).bind("t", tenant.value()).bind("id", id.value()).add();
    }
    batch.execute();
  }

  /** Re-encrypts every stored version of a tenant with its current primary data key. */
  public int reEncryptAll(TenantId tenant, String actor) {
    List<Map<String, Object>> rows = db.jdbi().withHandle(h -> h.createQuery(
            "SELECT v.credential_id, v.version, c.home, c.owner_user_id, c.kind FROM credential_versions v"
                + " JOIN credentials c ON c.id = v.credential_id WHERE v.tenant_id = :t ORDER BY v.credential_id, v.version")
        .bind("t", tenant.value()).mapToMap().list());
    int done = 0;
    for (Map<String, Object> r : rows) {
      CredentialId id = new CredentialId((String) r.get("credential_id"));
      int version = ((Number) r.get("version")).intValue();
      String owner = (String) r.get("owner_user_id");
      byte[] aad = new CredentialAad(tenant, Home.fromWire((String) r.get("home")), owner == null ? null : new UserId(owner),
          id, version, (String) r.get("kind")).encode();
      db.jdbi().useTransaction(h -> {
        Optional<String> ct = h.createQuery("SELECT ciphertext FROM credential_versions WHERE credential_id = :id AND version = :v" + db.forUpdate())
            .bind("id", id.value()).bind("v", version).mapTo(String.class).findOne();
        if (ct.isEmpty()) {
          return;
        }
        byte[] plain = keys.decrypt(tenant, B64D.decode(ct.get()), aad, "credential " + id);
        try {
          h.createUpdate("UPDATE credential_versions SET ciphertext = :c WHERE credential_id = :id AND version = :v")
              .bind("c", B64.encodeToString(keys.encrypt(tenant, plain, aad))).bind("id", id.value()).bind("v", version).execute();
        } finally {
          Arrays.fill(plain, (byte) 0);
        }
      });
      done++;
    }
    audit.record(tenant, AuditEvent.of(actor, "tenant.reencrypt").target("tenant", tenant.value()).with("versions", done));
    return done;
  }

  private String insertVersion(Handle h, CredentialScope scope, CredentialId id, String kind, int version, SecretValue value, long now) {
    byte[] plain = value.reveal();
    try {
      byte[] aad = new CredentialAad(scope.tenant(), scope.home(), scope.owner(), id, version, kind).encode();
      String ciphertext = B64.encodeToString(keys.encrypt(scope.tenant(), plain, aad));
      String fingerprint = keys.fingerprint(scope.tenant(), plain);
      h.createUpdate("INSERT INTO credential_versions (credential_id, tenant_id, version, ciphertext, hint, fingerprint, status, created_at)"
              + " VALUES (:id, :t, :v, :c, :hint, :fp, 'active', :now)")
          .bind("id", id.value()).bind("t", scope.tenant().value()).bind("v", version).bind("c", ciphertext)
          .bind("hint", hint(value)).bind("fp", fingerprint).bind("now", now).execute();
      return fingerprint;
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
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

  private Map<String, Object> lockRow(Handle h, CredentialScope scope, CredentialId id) {
    return h.createQuery("SELECT * FROM credentials WHERE tenant_id = :t AND home = :home AND owner_key = :o AND id = :id" + db.forUpdate())
        .bind("t", scope.tenant().value()).bind("home", scope.home().wire()).bind("o", scope.ownerKey()).bind("id", id.value())
        .mapToMap().findOne().orElseThrow(() -> new NotFoundException("no credential with that id"));
  }

  private Optional<CredentialInfo> info(Handle h, CredentialScope scope, CredentialId id) {
    Optional<CredentialInfo> base = h.createQuery("SELECT * FROM credentials WHERE tenant_id = :t AND home = :home AND owner_key = :o AND id = :id")
        .bind("t", scope.tenant().value()).bind("home", scope.home().wire()).bind("o", scope.ownerKey()).bind("id", id.value())
        .map((rs, ctx) -> baseInfo(rs)).findOne();
    if (base.isEmpty()) {
      return base;
    }
    List<CredentialInfo.VersionInfo> versions = h.createQuery("SELECT version, status, hint, fingerprint, created_at, revoked_at"
            + " FROM credential_versions WHERE credential_id = :id AND tenant_id = :t ORDER BY version DESC")
        .bind("id", id.value()).bind("t", scope.tenant().value())
        .map((rs, ctx) -> new CredentialInfo.VersionInfo(rs.getInt("version"), rs.getString("status"), rs.getString("hint"),
            rs.getString("fingerprint"), rs.getLong("created_at"), dev.keyroom.store.Rows.nullableLong(rs, "revoked_at")))
        .list();
    CredentialInfo b = base.get();
    CredentialInfo.VersionInfo current = versions.stream().filter(v -> v.version() == b.version()).findFirst().orElse(null);
    return Optional.of(new CredentialInfo(b.id(), b.kind(), b.name(), b.home(), b.owner(), b.version(), b.status(),
        current == null ? null : current.hint(), current == null ? null : current.fingerprint(), b.createdAt(), b.updatedAt(),
        b.lastUsed(), versions));
  }

  private static CredentialInfo baseInfo(ResultSet rs) throws SQLException {
    Long lastAt = dev.keyroom.store.Rows.nullableLong(rs, "last_used_at");
    CredentialInfo.LastUsed last = lastAt == null ? null : new CredentialInfo.LastUsed(lastAt, rs.getString("last_used_session"),
        rs.getString("last_used_workroom"), rs.getString("last_used_skill"), rs.getString("last_used_user"));
    return new CredentialInfo(rs.getString("id"), rs.getString("kind"), rs.getString("name"), rs.getString("home"),
        rs.getString("owner_user_id"), rs.getInt("current_version"), rs.getString("status"), null, null,
        rs.getLong("created_at"), rs.getLong("updated_at"), last, List.of());
  }

  private static void requireHome(CredentialKind kind, Home home) {
    if (kind.home() != home) {
      String where = kind.home() == Home.TENANT ? "Config → Secrets (/api/v1/secrets)" : "Profile → Integrations (/api/v1/me/integrations)";
      String notIn = home == Home.TENANT ? "tenant skill secrets" : "a user's integrations";
      throw new InvalidInputException("kind", "kind '" + kind.id() + "' lives in " + where + ", not in " + notIn);
    }
  }

  private static void checkName(CredentialKind kind, String name) {
    if (kind.nameIsEnvVar()) {
      if (name == null || !ENV_NAME.matcher(name).matches()) {
        throw new InvalidInputException("name", "for kind '" + kind.id() + "' the name is the environment variable:"
            + " 1-64 characters of A-Z, 0-9 and _, not starting with a digit");
      }
      return;
    }
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException("name", "must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
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
      throw new PayloadTooLargeException("value must be at most " + MAX_VALUE_BYTES + " bytes (got " + value.length() + ")");
    }
    for (byte b : value.reveal()) {
      if (b == 0) {
        throw new InvalidInputException("value", "must not contain NUL characters (it could not be delivered as an environment variable)");
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
   * commits first (and is seen here) or waits until the delivery commits (and then finds it in
   * the ledger); SQLite has one writer at a time, which orders the two the same way.
   */
  public java.util.Set<CredentialId> staleDeliveries(Handle h, TenantId tenant, Map<CredentialId, Integer> versions) {
    if (versions.isEmpty()) {
      return java.util.Set.of();
    }
    Map<String, Integer> current = new java.util.HashMap<>();
    h.createQuery("SELECT c.id, c.current_version FROM credentials c JOIN credential_versions v"
            + " ON v.credential_id = c.id AND v.version = c.current_version"
            + " WHERE c.tenant_id = :t AND c.id IN (<ids>) AND c.status = 'active' AND v.status = 'active'"
            + (db.dialect() == Database.Dialect.POSTGRESQL ? " FOR SHARE" : ""))
        .bind("t", tenant.value()).bindList("ids", versions.keySet().stream().map(CredentialId::value).toList())
        .map((rs, ctx) -> java.util.Map.entry(rs.getString("id"), rs.getInt("current_version")))
        .forEach(e -> current.put(e.getKey(), e.getValue()));
    java.util.Set<CredentialId> stale = new java.util.HashSet<>();
    versions.forEach((id, version) -> {
      if (!version.equals(current.get(id.value()))) {
        stale.add(id);
      }
    });
    return stale;
  }
}
