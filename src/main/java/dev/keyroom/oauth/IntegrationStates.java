package dev.keyroom.oauth;

import dev.keyroom.store.Database;
import dev.keyroom.store.Rows;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.CredentialId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The {@code oauth_integrations} table. Every read is scoped by tenant and user, except the
 * background refresher's scan. The refresh lease is a compare-and-set on the row, so it holds
 * across threads and across Keyroom nodes sharing one database.
 */
final class IntegrationStates {
  private final Database db;

  IntegrationStates(Database db) {
    this.db = db;
  }

  void insert(
      Handle h,
      CredentialId id,
      TenantId tenant,
      UserId user,
      String provider,
      String account,
      List<String> scopes,
      Long expiresAt,
      boolean hasRefresh,
      long now) {
    h.createUpdate(
            "INSERT INTO oauth_integrations (credential_id, tenant_id, user_id, provider, account, scopes, expires_at,"
                + " has_refresh, status, generation, refreshed_at, failures, created_at) VALUES (:id, :t, :u, :p, :a, :s, :e,"
                + " :r, 'healthy', 1, :now, 0, :now)")
        .bind("id", id.value())
        .bind("t", tenant.value())
        .bind("u", user.value())
        .bind("p", provider)
        .bind("a", account)
        .bind("s", String.join(" ", scopes))
        .bind("e", expiresAt)
        .bind("r", hasRefresh ? 1 : 0)
        .bind("now", now)
        .execute();
  }

  Optional<IntegrationState> find(TenantId tenant, UserId user, CredentialId id) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT * FROM oauth_integrations WHERE tenant_id = :t AND user_id = :u"
                            + " AND credential_id = :id")
                    .bind("t", tenant.value())
                    .bind("u", user.value())
                    .bind("id", id.value())
                    .map((rs, ctx) -> read(rs))
                    .findOne());
  }

  List<IntegrationState> list(TenantId tenant, UserId user) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT * FROM oauth_integrations WHERE tenant_id = :t AND user_id = :u"
                            + " ORDER BY created_at")
                    .bind("t", tenant.value())
                    .bind("u", user.value())
                    .map((rs, ctx) -> read(rs))
                    .list());
  }

  /**
   * Healthy integrations with a refresh token whose access token expires before {@code before}, or
   * not refreshed since {@code staleBefore}.
   */
  List<IntegrationState> due(long before, long staleBefore, int limit) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT * FROM oauth_integrations WHERE status = 'healthy' AND has_refresh = 1"
                            + " AND ((expires_at IS NOT NULL AND expires_at < :before) OR refreshed_at < :stale) ORDER BY expires_at LIMIT :n")
                    .bind("before", before)
                    .bind("stale", staleBefore)
                    .bind("n", limit)
                    .map((rs, ctx) -> read(rs))
                    .list());
  }

  /** Takes the refresh lease if nobody holds a live one. True when this caller now holds it. */
  boolean tryLease(CredentialId id, String owner, long now, long until) {
    return db.jdbi()
            .withHandle(
                h ->
                    h.createUpdate(
                            "UPDATE oauth_integrations SET lease_owner = :o, lease_until = :until"
                                + " WHERE credential_id = :id AND (lease_until IS NULL OR lease_until < :now OR lease_owner = :o)")
                        .bind("o", owner)
                        .bind("until", until)
                        .bind("id", id.value())
                        .bind("now", now)
                        .execute())
        == 1;
  }

  void releaseLease(CredentialId id, String owner) {
    db.jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "UPDATE oauth_integrations SET lease_owner = NULL, lease_until = NULL"
                            + " WHERE credential_id = :id AND lease_owner = :o")
                    .bind("id", id.value())
                    .bind("o", owner)
                    .execute());
  }

  /**
   * In the transaction that stored the new tokens: record them as current and release the lease.
   */
  void refreshed(
      Handle h,
      CredentialId id,
      Long expiresAt,
      List<String> scopes,
      boolean hasRefresh,
      long now) {
    h.createUpdate(
            "UPDATE oauth_integrations SET expires_at = :e, scopes = :s, has_refresh = :r, status = 'healthy',"
                + " status_reason = NULL, generation = generation + 1, refreshed_at = :now, failures = 0, last_error = NULL,"
                + " last_error_at = NULL, lease_owner = NULL, lease_until = NULL WHERE credential_id = :id")
        .bind("e", expiresAt)
        .bind("s", String.join(" ", scopes))
        .bind("r", hasRefresh ? 1 : 0)
        .bind("now", now)
        .bind("id", id.value())
        .execute();
  }

  /** After a new sign-in for an existing integration. */
  void reconnected(
      Handle h,
      CredentialId id,
      String account,
      Long expiresAt,
      List<String> scopes,
      boolean hasRefresh,
      long now) {
    refreshed(h, id, expiresAt, scopes, hasRefresh, now);
    h.createUpdate("UPDATE oauth_integrations SET account = :a WHERE credential_id = :id")
        .bind("a", account)
        .bind("id", id.value())
        .execute();
  }

  void markNeedsReconnect(Handle h, CredentialId id, String reason, long now) {
    h.createUpdate(
            "UPDATE oauth_integrations SET status = 'needs_reconnect', status_reason = :r, last_error = :r,"
                + " last_error_at = :now, lease_owner = NULL, lease_until = NULL WHERE credential_id = :id")
        .bind("r", reason)
        .bind("now", now)
        .bind("id", id.value())
        .execute();
  }

  void recordFailure(CredentialId id, String error, long now) {
    db.jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "UPDATE oauth_integrations SET failures = failures + 1, last_error = :e,"
                            + " last_error_at = :now WHERE credential_id = :id")
                    .bind("e", error)
                    .bind("now", now)
                    .bind("id", id.value())
                    .execute());
  }

  private static IntegrationState read(ResultSet rs) throws SQLException {
    String scopes = rs.getString("scopes");
    return new IntegrationState(
        new CredentialId(rs.getString("credential_id")),
        new TenantId(rs.getString("tenant_id")),
        new UserId(rs.getString("user_id")),
        rs.getString("provider"),
        rs.getString("account"),
        scopes == null || scopes.isBlank() ? List.of() : List.of(scopes.split(" ")),
        Rows.nullableLong(rs, "expires_at"),
        rs.getInt("has_refresh") == 1,
        rs.getString("status"),
        rs.getString("status_reason"),
        rs.getLong("generation"),
        Rows.nullableLong(rs, "refreshed_at"),
        rs.getInt("failures"),
        rs.getString("last_error"),
        Rows.nullableLong(rs, "last_error_at"),
        rs.getLong("created_at"));
  }
}
