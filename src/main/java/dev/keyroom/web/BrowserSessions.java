package dev.keyroom.web;

import dev.keyroom.store.Database;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.TokenFormat;
import dev.keyroom.tenancy.User;
import dev.keyroom.tenancy.UserId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Browser sessions of the web UI. Every sign-in method (passwords today, OIDC SSO later) ends in
 * {@link #open}; the cookie holds the only copy of the session id, the store holds its hash.
 */
public final class BrowserSessions {
  static final String PREFIX = "kr_web_";
  private final Database db;
  private final Tenancy tenancy;
  private final Passwords passwords;
  private final Clock clock;
  private final Duration lifetime;
  private final Duration idle;

  public BrowserSessions(
      Database db,
      Tenancy tenancy,
      Passwords passwords,
      Clock clock,
      Duration lifetime,
      Duration idle) {
    this.db = db;
    this.tenancy = tenancy;
    this.passwords = passwords;
    this.clock = clock;
    this.lifetime = lifetime;
    this.idle = idle;
  }

  /** Opens a session for a person who has proven who they are; returns the cookie value. */
  public String open(TenantId tenant, UserId user, String method) {
    String token = TokenFormat.generate(PREFIX);
    long now = clock.millis();
    db.jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "INSERT INTO web_sessions (id_hash, tenant_id, user_id, method, created_at,"
                            + " last_seen_at, expires_at) VALUES (:h, :t, :u, :m, :now, :now, :exp)")
                    .bind("h", TokenFormat.hash(token))
                    .bind("t", tenant.value())
                    .bind("u", user.value())
                    .bind("m", method)
                    .bind("now", now)
                    .bind("exp", now + lifetime.toMillis())
                    .execute());
    return token;
  }

  /** The signed-in person for a cookie value, when the session is live and the user active. */
  public Optional<WebUser> find(String token) {
    if (token == null || !TokenFormat.isWellFormed(token, PREFIX)) {
      return Optional.empty();
    }
    String hash = TokenFormat.hash(token);
    long now = clock.millis();
    Optional<Map<String, Object>> row =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT id_hash, tenant_id, user_id, last_seen_at, expires_at FROM web_sessions WHERE id_hash = :h")
                        .bind("h", hash)
                        .mapToMap()
                        .findOne());
    if (row.isEmpty() || !TokenFormat.sameHash((String) row.get().get("id_hash"), hash)) {
      return Optional.empty();
    }
    long lastSeen = ((Number) row.get().get("last_seen_at")).longValue();
    if (now >= ((Number) row.get().get("expires_at")).longValue()
        || now - lastSeen >= idle.toMillis()) {
      close(token);
      return Optional.empty();
    }
    TenantId tenant = new TenantId((String) row.get().get("tenant_id"));
    User user = tenancy.user(tenant, new UserId((String) row.get().get("user_id")));
    if (!user.isActive()) {
      return Optional.empty();
    }
    if (now - lastSeen > 30_000) {
      db.jdbi()
          .useHandle(
              h ->
                  h.createUpdate("UPDATE web_sessions SET last_seen_at = :now WHERE id_hash = :h")
                      .bind("now", now)
                      .bind("h", hash)
                      .execute());
    }
    String tenantName =
        tenancy.tenants().stream()
            .filter(t -> t.id().equals(tenant))
            .findFirst()
            .map(t -> t.name())
            .orElse("?");
    return Optional.of(
        new WebUser(
            tenant,
            tenantName,
            user.id(),
            user.name(),
            user.role(),
            csrfFor(token),
            passwords.mustChange(tenant, user.id())));
  }

  public void close(String token) {
    if (token == null) {
      return;
    }
    db.jdbi()
        .useHandle(
            h ->
                h.createUpdate("DELETE FROM web_sessions WHERE id_hash = :h")
                    .bind("h", TokenFormat.hash(token))
                    .execute());
  }

  /** Ends every other browser session of a user (after a password change). */
  public void closeOthers(TenantId tenant, UserId user, String keepToken) {
    db.jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "DELETE FROM web_sessions WHERE tenant_id = :t AND user_id = :u AND id_hash <> :keep")
                    .bind("t", tenant.value())
                    .bind("u", user.value())
                    .bind("keep", TokenFormat.hash(keepToken))
                    .execute());
  }

  /** Ends every web sign-in of a user inside the caller's transaction (the user was disabled). */
  public int closeAll(org.jdbi.v3.core.Handle h, TenantId tenant, UserId user) {
    return h.createUpdate("DELETE FROM web_sessions WHERE tenant_id = :t AND user_id = :u")
        .bind("t", tenant.value())
        .bind("u", user.value())
        .execute();
  }

  /** The CSRF token of a session: a one-way function of its cookie value. */
  static String csrfFor(String token) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(("keyroom/csrf/" + token).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }
}
