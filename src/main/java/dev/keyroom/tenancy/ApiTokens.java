package dev.keyroom.tenancy;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.error.UnauthenticatedException;
import dev.keyroom.store.Database;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * API tokens: {@code kr_u_…} for users, {@code kr_s_…} for a tenant's platform service identity.
 * Shown once at issue, stored as SHA-256 only, compared in constant time, revocable.
 */
public final class ApiTokens {
  /** How often (at most) a token's last-used time and a {@code token.use} audit row are written. */
  static final long USE_RECORD_INTERVAL_MS = 60_000;

  private final Database db;
  private final AuditLog audit;
  private final Clock clock;

  public ApiTokens(Database db, AuditLog audit, Clock clock) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
  }

  /** A freshly issued token. {@code token} is the only copy that will ever exist. */
  public record Issued(TokenId id, String token) {
    @Override
    public String toString() {
      return "Issued[id=" + id + ", token=[REDACTED]]";
    }
  }

  /** A token's metadata, as listed. */
  public record TokenInfo(
      TokenId id,
      String kind,
      String name,
      String userId,
      long createdAt,
      Long lastUsedAt,
      Long revokedAt) {}

  public Issued issue(
      Handle h, TenantId tenant, UserId user, String prefix, String name, String actor) {
    if (name == null || name.isBlank() || name.length() > 100) {
      throw new InvalidInputException("name", "token name must be 1-100 characters");
    }
    String token = TokenFormat.generate(prefix);
    TokenId id = TokenId.generate();
    h.createUpdate(
            "INSERT INTO api_tokens (id, tenant_id, user_id, kind, name, token_hash, created_at)"
                + " VALUES (:id, :t, :u, :k, :n, :hash, :now)")
        .bind("id", id.value())
        .bind("t", tenant.value())
        .bind("u", user == null ? null : user.value())
        .bind("k", prefix.equals(TokenFormat.SERVICE) ? "service" : "user")
        .bind("n", name)
        .bind("hash", TokenFormat.hash(token))
        .bind("now", clock.millis())
        .execute();
    audit.append(
        h,
        tenant,
        AuditEvent.of(actor, "token.issue")
            .target("token", id.value())
            .with("kind", prefix.equals(TokenFormat.SERVICE) ? "service" : "user")
            .with("user", user == null ? "-" : user.value()));
    return new Issued(id, token);
  }

  public Issued issueForUser(TenantId tenant, UserId user, String name, String actor) {
    return db.jdbi().inTransaction(h -> issue(h, tenant, user, TokenFormat.USER, name, actor));
  }

  public Issued issueService(TenantId tenant, String name, String actor) {
    return db.jdbi().inTransaction(h -> issue(h, tenant, null, TokenFormat.SERVICE, name, actor));
  }

  /**
   * Resolves a bearer token to its principal. Unknown, malformed, revoked tokens and tokens of
   * disabled users are all "not accepted"; the message says which, never echoing the token.
   */
  public Principal authenticate(String token) {
    boolean user = TokenFormat.isWellFormed(token, TokenFormat.USER);
    boolean service = TokenFormat.isWellFormed(token, TokenFormat.SERVICE);
    if (!user && !service) {
      throw new UnauthenticatedException(
          "the bearer token is malformed; expected a kr_u_ or kr_s_ token");
    }
    String hash = TokenFormat.hash(token);
    Optional<Map<String, Object>> row =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT t.id, t.tenant_id, t.user_id, t.kind, t.token_hash, t.last_used_at, t.revoked_at,"
                                + " u.role, u.status FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id"
                                + " WHERE t.token_hash = :hash")
                        .bind("hash", hash)
                        .mapToMap()
                        .findOne());
    if (row.isEmpty() || !TokenFormat.sameHash((String) row.get().get("token_hash"), hash)) {
      throw new UnauthenticatedException("the bearer token is not accepted (unknown or deleted)");
    }
    Map<String, Object> r = row.get();
    TenantId tenant = new TenantId((String) r.get("tenant_id"));
    TokenId tokenId = new TokenId((String) r.get("id"));
    if (r.get("revoked_at") != null) {
      audit.record(
          tenant,
          AuditEvent.of("token:" + tokenId.value(), "token.use")
              .target("token", tokenId.value())
              .denied()
              .with("reason", "revoked"));
      throw new UnauthenticatedException("the bearer token has been revoked");
    }
    boolean isService = "service".equals(r.get("kind"));
    if (isService != service) {
      throw new UnauthenticatedException("the bearer token is not accepted (unknown or deleted)");
    }
    Principal principal;
    if (isService) {
      principal = Principal.service(tenant, tokenId);
    } else {
      if (!"active".equals(r.get("status"))) {
        audit.record(
            tenant,
            AuditEvent.of("user:" + r.get("user_id"), "token.use")
                .target("token", tokenId.value())
                .denied()
                .with("reason", "user disabled"));
        throw new UnauthenticatedException("the user of this token is disabled");
      }
      principal =
          Principal.user(
              tenant,
              new UserId((String) r.get("user_id")),
              Role.parse((String) r.get("role"), "role"),
              tokenId);
    }
    Number last = (Number) r.get("last_used_at");
    long now = clock.millis();
    if (last == null || now - last.longValue() >= USE_RECORD_INTERVAL_MS) {
      db.jdbi()
          .useTransaction(
              h -> {
                h.createUpdate("UPDATE api_tokens SET last_used_at = :now WHERE id = :id")
                    .bind("now", now)
                    .bind("id", tokenId.value())
                    .execute();
                audit.append(
                    h,
                    tenant,
                    AuditEvent.of(principal.auditName(), "token.use")
                        .target("token", tokenId.value()));
              });
    }
    return principal;
  }

  /** Tokens of one user (or the service tokens when {@code user} is null), newest first. */
  public List<TokenInfo> list(TenantId tenant, UserId user) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT * FROM api_tokens WHERE tenant_id = :t AND "
                            + (user == null ? "user_id IS NULL" : "user_id = :u")
                            + " ORDER BY created_at DESC, id")
                    .bind("t", tenant.value())
                    .bind("u", user == null ? null : user.value())
                    .map(
                        (rs, ctx) ->
                            new TokenInfo(
                                new TokenId(rs.getString("id")),
                                rs.getString("kind"),
                                rs.getString("name"),
                                rs.getString("user_id"),
                                rs.getLong("created_at"),
                                dev.keyroom.store.Rows.nullableLong(rs, "last_used_at"),
                                dev.keyroom.store.Rows.nullableLong(rs, "revoked_at")))
                    .list());
  }

  /** Revokes one of the user's own tokens (or a service token when {@code user} is null). */
  public void revoke(TenantId tenant, UserId user, TokenId id, String actor) {
    db.jdbi()
        .useTransaction(
            h -> {
              int n =
                  h.createUpdate(
                          "UPDATE api_tokens SET revoked_at = :now WHERE tenant_id = :t AND id = :id AND "
                              + (user == null ? "user_id IS NULL" : "user_id = :u")
                              + " AND revoked_at IS NULL")
                      .bind("now", clock.millis())
                      .bind("t", tenant.value())
                      .bind("id", id.value())
                      .bind("u", user == null ? null : user.value())
                      .execute();
              if (n == 0) {
                boolean exists =
                    h.createQuery(
                                "SELECT COUNT(*) FROM api_tokens WHERE tenant_id = :t AND id = :id AND "
                                    + (user == null ? "user_id IS NULL" : "user_id = :u"))
                            .bind("t", tenant.value())
                            .bind("id", id.value())
                            .bind("u", user == null ? null : user.value())
                            .mapTo(Integer.class)
                            .one()
                        > 0;
                if (!exists) {
                  throw new NotFoundException("no token with that id");
                }
                return;
              }
              audit.append(
                  h, tenant, AuditEvent.of(actor, "token.revoke").target("token", id.value()));
            });
  }
}
