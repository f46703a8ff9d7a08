package dev.keyroom.vault;

import dev.keyroom.catalog.Home;
import dev.keyroom.store.Database;
import dev.keyroom.store.Keyset;
import dev.keyroom.store.Page;
import dev.keyroom.store.Rows;
import dev.keyroom.store.UniqueKeys;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The vault's SQL: the statements on {@code credentials} and {@code credential_versions} and the
 * mapping of their rows. It holds no rules; {@link Vault} decides what may be written and runs
 * every call inside its own transaction. Every statement is bound to a tenant (and, where a caller
 * names a credential, to its scope), so another tenant's or user's row is simply not there.
 */
final class VaultStore {
  /** The credential row a change locked: what the change needs to know of it. */
  record LockedRow(String kind, String name, int currentVersion, String status) {
    boolean isActive() {
      return "active".equals(status);
    }
  }

  /** One stored ciphertext and the status of its version. */
  record StoredVersion(String ciphertext, String status) {}

  /**
   * The current version of a credential with its ciphertext, as a session's environment opens it.
   */
  record Current(CredentialInfo info, String ciphertext, String versionStatus) {}

  /** One stored version of a tenant, with what its associated data binds. */
  record VersionRef(
      TenantId tenant, CredentialId id, int version, Home home, UserId owner, String kind) {
    CredentialScope scope() {
      return new CredentialScope(tenant, home, owner);
    }
  }

  private static final String SCOPE = "tenant_id = :t AND home = :home AND owner_key = :o";

  /** Names are unique per kind within a home and owner (migration V10); two kinds may share one. */
  private static final String NAME_TAKEN =
      "SELECT COUNT(*) FROM credentials WHERE " + SCOPE + " AND kind = :kind AND name = :n";

  private static final String INSERT_CREDENTIAL =
      "INSERT INTO credentials (id, tenant_id, home, owner_user_id, owner_key, kind,"
          + " name, current_version, status, created_at, updated_at, hosts)"
          + " VALUES (:id, :t, :home, :owner, :o, :kind, :name, 1, 'active', :now, :now, :hosts)";
  private static final String SET_HOSTS =
      "UPDATE credentials SET hosts = :hosts, updated_at = :now WHERE id = :id";
  private static final String IDS =
      "SELECT id FROM credentials WHERE " + SCOPE + " ORDER BY kind, name";
  private static final String ROW = "SELECT * FROM credentials WHERE " + SCOPE + " AND id = :id";
  private static final String VERSIONS =
      "SELECT version, status, hint, fingerprint, created_at, revoked_at"
          + " FROM credential_versions WHERE credential_id = :id AND tenant_id = :t ORDER BY version DESC";
  private static final String SUPERSEDE =
      "UPDATE credential_versions SET status = 'superseded'"
          + " WHERE credential_id = :id AND status = 'active'";
  private static final String DELETE_VERSIONS =
      "DELETE FROM credential_versions WHERE credential_id = :id AND tenant_id = :t";
  private static final String INSERT_VERSION =
      "INSERT INTO credential_versions (credential_id, tenant_id, version, ciphertext,"
          + " hint, fingerprint, status, created_at) VALUES (:id, :t, :v, :c, :hint, :fp, 'active', :now)";
  private static final String SET_CURRENT =
      "UPDATE credentials SET current_version = :v, updated_at = :now WHERE id = :id";
  private static final String REVOKE_CREDENTIAL =
      "UPDATE credentials SET status = 'revoked', updated_at = :now WHERE id = :id";
  private static final String REVOKE_ALL_VERSIONS =
      "UPDATE credential_versions SET status = 'revoked', revoked_at = :now"
          + " WHERE credential_id = :id AND status <> 'revoked'";
  private static final String REVOKE_ONE_VERSION =
      "UPDATE credential_versions SET status = 'revoked', revoked_at = :now"
          + " WHERE credential_id = :id AND version = :v AND status <> 'revoked'";
  private static final String VERSION_EXISTS =
      "SELECT COUNT(*) FROM credential_versions WHERE credential_id = :id AND version = :v";
  private static final String DELETE_CREDENTIAL =
      "DELETE FROM credentials WHERE id = :id AND tenant_id = :t";
  private static final String VERSION =
      "SELECT ciphertext, status FROM credential_versions"
          + " WHERE credential_id = :id AND tenant_id = :t AND version = :v";
  private static final String CURRENT =
      "SELECT c.id, c.kind, c.name, c.home, c.owner_user_id, c.current_version, c.status,"
          + " c.hosts, c.created_at, c.updated_at, v.ciphertext, v.status AS vstatus"
          + " FROM credentials c JOIN credential_versions v ON v.credential_id = c.id AND v.version = c.current_version"
          + " WHERE c.tenant_id = :t AND c.home = :home AND c.owner_key = :o AND c.id IN (<ids>)";
  private static final String SCOPE_OF =
      "SELECT home, owner_user_id FROM credentials WHERE tenant_id = :t AND id = :id";
  private static final String RECORD_USE =
      "UPDATE credentials SET last_used_at = :at, last_used_session = :s,"
          + " last_used_workroom = :w, last_used_skill = :k, last_used_user = :u WHERE tenant_id = :t AND id = :id"
          + " AND (last_used_at IS NULL OR last_used_at <= :at)";
  private static final String VERSIONS_OF_TENANT =
      "SELECT v.tenant_id, v.credential_id, v.version, c.home, c.owner_user_id,"
          + " c.kind FROM credential_versions v JOIN credentials c ON c.id = v.credential_id WHERE v.tenant_id = :t"
          + " ORDER BY v.credential_id, v.version";

  /** Versions whose fingerprint was cleared (migration V7) and must be computed again. */
  private static final String WITHOUT_FINGERPRINT =
      "SELECT v.tenant_id, v.credential_id, v.version, c.home, c.owner_user_id,"
          + " c.kind FROM credential_versions v JOIN credentials c ON c.id = v.credential_id WHERE v.fingerprint = ''"
          + " ORDER BY v.tenant_id, v.credential_id, v.version";

  private static final String SET_FINGERPRINT =
      "UPDATE credential_versions SET fingerprint = :fp"
          + " WHERE credential_id = :id AND version = :v AND fingerprint = ''";
  private static final String CIPHERTEXT =
      "SELECT ciphertext FROM credential_versions WHERE credential_id = :id AND version = :v";
  private static final String SET_CIPHERTEXT =
      "UPDATE credential_versions SET ciphertext = :c WHERE credential_id = :id AND version = :v";

  /**
   * The active current version of each credential whose current version is active (locked FOR SHARE
   * on PostgreSQL).
   */
  private static final String ACTIVE_CURRENT =
      "SELECT c.id, c.current_version FROM credentials c JOIN credential_versions v"
          + " ON v.credential_id = c.id AND v.version = c.current_version"
          + " WHERE c.tenant_id = :t AND c.id IN (<ids>) AND c.status = 'active' AND v.status = 'active'";

  private final Database db;

  VaultStore(Database db) {
    this.db = db;
  }

  boolean nameTaken(Handle h, CredentialScope scope, String kind, String name) {
    return scoped(h.createQuery(NAME_TAKEN), scope)
            .bind("kind", kind)
            .bind("n", name)
            .mapTo(Integer.class)
            .one()
        > 0;
  }

  /**
   * Inserts the credential row; false when another transaction took the kind and name first (the
   * unique key refused the row — on PostgreSQL two creates can pass {@link #nameTaken} together).
   */
  boolean insertCredential(
      Handle h,
      CredentialScope scope,
      CredentialId id,
      String kind,
      String name,
      List<String> hosts,
      long now) {
    try {
      h.createUpdate(INSERT_CREDENTIAL)
          .bind("id", id.value())
          .bind("t", scope.tenant().value())
          .bind("home", scope.home().wire())
          .bind("owner", scope.owner() == null ? null : scope.owner().value())
          .bind("o", scope.ownerKey())
          .bind("kind", kind)
          .bind("name", name)
          .bind("now", now)
          .bind("hosts", GitHosts.toColumn(hosts))
          .execute();
      return true;
    } catch (UnableToExecuteStatementException e) {
      if (UniqueKeys.violated(e)) {
        return false;
      }
      throw e;
    }
  }

  void setHosts(Handle h, CredentialId id, List<String> hosts, long now) {
    h.createUpdate(SET_HOSTS)
        .bind("hosts", GitHosts.toColumn(hosts))
        .bind("now", now)
        .bind("id", id.value())
        .execute();
  }

  List<CredentialId> ids(Handle h, CredentialScope scope) {
    return scoped(h.createQuery(IDS), scope).mapTo(String.class).map(CredentialId::new).list();
  }

  /** Ordered as the Secrets page groups them: by kind, then name (unique in a scope). */
  private static final Keyset BY_KIND_AND_NAME = Keyset.ascending("kind", "name");

  /**
   * One page of a scope's credential ids, by kind and name, that match {@code search}: a name
   * containing its text in any case or a kind among {@code kindsNamed}, and only its {@code kind}
   * when set.
   */
  Page<CredentialId> idsPage(
      Handle h, CredentialScope scope, Vault.Search search, Keyset.From from, int size) {
    StringBuilder where = new StringBuilder("FROM credentials WHERE ").append(SCOPE);
    if (search.kind() != null) {
      where.append(" AND kind = :kind");
    }
    if (search.name() != null) {
      where.append(" AND name = :name");
    }
    if (search.text() != null) {
      where
          .append(" AND (LOWER(name) LIKE :text ESCAPE '!'")
          .append(search.kindsNamed().isEmpty() ? "" : " OR kind IN (<kindsNamed>)")
          .append(")");
    }
    return BY_KIND_AND_NAME.page(
        h,
        "id",
        where.toString(),
        q -> {
          scoped(q, scope);
          if (search.kind() != null) {
            q.bind("kind", search.kind());
          }
          if (search.name() != null) {
            q.bind("name", search.name());
          }
          if (search.text() != null) {
            q.bind(
                "text", "%" + likeEscaped(search.text().toLowerCase(java.util.Locale.ROOT)) + "%");
            if (!search.kindsNamed().isEmpty()) {
              q.bindList("kindsNamed", search.kindsNamed());
            }
          }
        },
        from,
        size,
        (rs, ctx) -> new CredentialId(rs.getString("id")));
  }

  private static String likeEscaped(String text) {
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }

  /**
   * Locks the credential's row for the rest of the transaction; empty when it is not in the scope.
   */
  Optional<LockedRow> lock(Handle h, CredentialScope scope, CredentialId id) {
    return scoped(h.createQuery(ROW + db.forUpdate()), scope)
        .bind("id", id.value())
        .map(
            (rs, ctx) ->
                new LockedRow(
                    rs.getString("kind"),
                    rs.getString("name"),
                    rs.getInt("current_version"),
                    rs.getString("status")))
        .findOne();
  }

  /**
   * The credential's metadata with every version, the current one's hint and fingerprint on top.
   */
  Optional<CredentialInfo> info(Handle h, CredentialScope scope, CredentialId id) {
    Optional<CredentialInfo> base =
        scoped(h.createQuery(ROW), scope)
            .bind("id", id.value())
            .map((rs, ctx) -> baseInfo(rs))
            .findOne();
    if (base.isEmpty()) {
      return base;
    }
    List<CredentialInfo.VersionInfo> versions =
        h.createQuery(VERSIONS)
            .bind("id", id.value())
            .bind("t", scope.tenant().value())
            .map(
                (rs, ctx) ->
                    new CredentialInfo.VersionInfo(
                        rs.getInt("version"),
                        rs.getString("status"),
                        rs.getString("hint"),
                        fingerprint(rs),
                        rs.getLong("created_at"),
                        Rows.nullableLong(rs, "revoked_at")))
            .list();
    CredentialInfo b = base.get();
    CredentialInfo.VersionInfo current =
        versions.stream().filter(v -> v.version() == b.version()).findFirst().orElse(null);
    return Optional.of(
        new CredentialInfo(
            b.id(),
            b.kind(),
            b.name(),
            b.home(),
            b.owner(),
            b.version(),
            b.status(),
            b.hosts(),
            current == null ? null : current.hint(),
            current == null ? null : current.fingerprint(),
            b.createdAt(),
            b.updatedAt(),
            b.lastUsed(),
            versions));
  }

  void supersedeActiveVersions(Handle h, CredentialId id) {
    h.createUpdate(SUPERSEDE).bind("id", id.value()).execute();
  }

  void deleteVersions(Handle h, TenantId tenant, CredentialId id) {
    h.createUpdate(DELETE_VERSIONS).bind("id", id.value()).bind("t", tenant.value()).execute();
  }

  void insertVersion(
      Handle h,
      TenantId tenant,
      CredentialId id,
      int version,
      String ciphertext,
      String hint,
      String fingerprint,
      long now) {
    h.createUpdate(INSERT_VERSION)
        .bind("id", id.value())
        .bind("t", tenant.value())
        .bind("v", version)
        .bind("c", ciphertext)
        .bind("hint", hint)
        .bind("fp", fingerprint)
        .bind("now", now)
        .execute();
  }

  void setCurrentVersion(Handle h, CredentialId id, int version, long now) {
    h.createUpdate(SET_CURRENT)
        .bind("v", version)
        .bind("now", now)
        .bind("id", id.value())
        .execute();
  }

  void markRevoked(Handle h, CredentialId id, long now) {
    h.createUpdate(REVOKE_CREDENTIAL).bind("now", now).bind("id", id.value()).execute();
  }

  /** Revokes every version ({@code version} null) or one; returns how many rows changed. */
  int revokeVersions(Handle h, CredentialId id, Integer version, long now) {
    if (version == null) {
      return h.createUpdate(REVOKE_ALL_VERSIONS).bind("now", now).bind("id", id.value()).execute();
    }
    return h.createUpdate(REVOKE_ONE_VERSION)
        .bind("now", now)
        .bind("id", id.value())
        .bind("v", version)
        .execute();
  }

  boolean versionExists(Handle h, CredentialId id, int version) {
    return h.createQuery(VERSION_EXISTS)
            .bind("id", id.value())
            .bind("v", version)
            .mapTo(Integer.class)
            .one()
        > 0;
  }

  void deleteCredential(Handle h, TenantId tenant, CredentialId id) {
    h.createUpdate(DELETE_CREDENTIAL).bind("id", id.value()).bind("t", tenant.value()).execute();
  }

  Optional<StoredVersion> version(Handle h, TenantId tenant, CredentialId id, int version) {
    return h.createQuery(VERSION)
        .bind("id", id.value())
        .bind("t", tenant.value())
        .bind("v", version)
        .map((rs, ctx) -> new StoredVersion(rs.getString("ciphertext"), rs.getString("status")))
        .findOne();
  }

  /** The current versions of several credentials of one scope, in one query. */
  List<Current> current(Handle h, CredentialScope scope, Collection<CredentialId> ids) {
    return scoped(h.createQuery(CURRENT), scope)
        .bindList("ids", ids.stream().map(CredentialId::value).distinct().toList())
        .map(
            (rs, ctx) ->
                new Current(
                    new CredentialInfo(
                        rs.getString("id"),
                        rs.getString("kind"),
                        rs.getString("name"),
                        rs.getString("home"),
                        rs.getString("owner_user_id"),
                        rs.getInt("current_version"),
                        rs.getString("status"),
                        GitHosts.fromColumn(rs.getString("hosts")),
                        null,
                        null,
                        rs.getLong("created_at"),
                        rs.getLong("updated_at"),
                        null,
                        List.of()),
                    rs.getString("ciphertext"),
                    rs.getString("vstatus")))
        .list();
  }

  Optional<CredentialScope> scopeOf(Handle h, TenantId tenant, CredentialId id) {
    return h.createQuery(SCOPE_OF)
        .bind("t", tenant.value())
        .bind("id", id.value())
        .map(
            (rs, ctx) ->
                new CredentialScope(
                    tenant,
                    Home.fromWire(rs.getString("home")),
                    rs.getString("owner_user_id") == null
                        ? null
                        : new UserId(rs.getString("owner_user_id"))))
        .findOne();
  }

  void recordUse(Handle h, TenantId tenant, CredentialId id, CredentialInfo.LastUsed use) {
    bindUse(h.createUpdate(RECORD_USE), tenant, id, use).execute();
  }

  void recordUses(Handle h, TenantId tenant, List<CredentialId> ids, CredentialInfo.LastUsed use) {
    var batch = h.prepareBatch(RECORD_USE);
    for (CredentialId id : ids) {
      bindUse(batch, tenant, id, use).add();
    }
    batch.execute();
  }

  List<VersionRef> versionsOf(Handle h, TenantId tenant) {
    return h.createQuery(VERSIONS_OF_TENANT)
        .bind("t", tenant.value())
        .map((rs, ctx) -> versionRef(rs))
        .list();
  }

  List<VersionRef> withoutFingerprint(Handle h) {
    return h.createQuery(WITHOUT_FINGERPRINT).map((rs, ctx) -> versionRef(rs)).list();
  }

  /** Sets the fingerprint of a version that has none; a version written since keeps its own. */
  void setFingerprint(Handle h, CredentialId id, int version, String fingerprint) {
    h.createUpdate(SET_FINGERPRINT)
        .bind("fp", fingerprint)
        .bind("id", id.value())
        .bind("v", version)
        .execute();
  }

  private static VersionRef versionRef(ResultSet rs) throws SQLException {
    return new VersionRef(
        new TenantId(rs.getString("tenant_id")),
        new CredentialId(rs.getString("credential_id")),
        rs.getInt("version"),
        Home.fromWire(rs.getString("home")),
        rs.getString("owner_user_id") == null ? null : new UserId(rs.getString("owner_user_id")),
        rs.getString("kind"));
  }

  /** Null for a version whose fingerprint is being computed again (cleared by migration V7). */
  private static String fingerprint(ResultSet rs) throws SQLException {
    String fp = rs.getString("fingerprint");
    return fp == null || fp.isEmpty() ? null : fp;
  }

  /** Locks one version's row and reads its ciphertext; empty when the version is gone. */
  Optional<String> lockCiphertext(Handle h, CredentialId id, int version) {
    return h.createQuery(CIPHERTEXT + db.forUpdate())
        .bind("id", id.value())
        .bind("v", version)
        .mapTo(String.class)
        .findOne();
  }

  void setCiphertext(Handle h, CredentialId id, int version, String ciphertext) {
    h.createUpdate(SET_CIPHERTEXT)
        .bind("c", ciphertext)
        .bind("id", id.value())
        .bind("v", version)
        .execute();
  }

  private static <S extends org.jdbi.v3.core.statement.SqlStatement<S>> S scoped(
      S statement, CredentialScope scope) {
    return statement
        .bind("t", scope.tenant().value())
        .bind("home", scope.home().wire())
        .bind("o", scope.ownerKey());
  }

  private static <S extends org.jdbi.v3.core.statement.SqlStatement<S>> S bindUse(
      S statement, TenantId tenant, CredentialId id, CredentialInfo.LastUsed use) {
    return statement
        .bind("at", use.at())
        .bind("s", use.sessionId())
        .bind("w", use.workroomId())
        .bind("k", use.skill())
        .bind("u", use.userId())
        .bind("t", tenant.value())
        .bind("id", id.value());
  }

  private static CredentialInfo baseInfo(ResultSet rs) throws SQLException {
    Long lastAt = Rows.nullableLong(rs, "last_used_at");
    CredentialInfo.LastUsed last =
        lastAt == null
            ? null
            : new CredentialInfo.LastUsed(
                lastAt,
                rs.getString("last_used_session"),
                rs.getString("last_used_workroom"),
                rs.getString("last_used_skill"),
                rs.getString("last_used_user"));
    return new CredentialInfo(
        rs.getString("id"),
        rs.getString("kind"),
        rs.getString("name"),
        rs.getString("home"),
        rs.getString("owner_user_id"),
        rs.getInt("current_version"),
        rs.getString("status"),
        GitHosts.fromColumn(rs.getString("hosts")),
        null,
        null,
        rs.getLong("created_at"),
        rs.getLong("updated_at"),
        last,
        List.of());
  }

  /**
   * Credential id → current version, for those of {@code ids} that are active with an active
   * current version.
   */
  java.util.Map<String, Integer> activeCurrentVersions(
      Handle h, TenantId tenant, Collection<CredentialId> ids) {
    java.util.Map<String, Integer> out = new java.util.HashMap<>();
    h.createQuery(
            ACTIVE_CURRENT + (db.dialect() == Database.Dialect.POSTGRESQL ? " FOR SHARE" : ""))
        .bind("t", tenant.value())
        .bindList("ids", ids.stream().map(CredentialId::value).toList())
        .map((rs, ctx) -> java.util.Map.entry(rs.getString("id"), rs.getInt("current_version")))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
