package dev.keyroom.web;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.Tenant;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.User;
import dev.keyroom.tenancy.UserId;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.Handle;

/**
 * Web sign-in passwords, stored as Argon2id hashes only. A one-time password (from {@code keyroom
 * admin create-tenant}) must be changed at the first sign-in.
 */
public final class Passwords {
  public static final int MIN_LENGTH = 12;
  public static final int MAX_LENGTH = 256;
  private static final char[] ONE_TIME_ALPHABET =
      "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final Tenancy tenancy;
  private final AuditLog audit;
  private final Clock clock;
  private final Argon2id argon;

  /**
   * Hash of a random password: verified against when the user is unknown, so timing does not tell.
   * Made on a thread of its own as the server starts (an Argon2id hash is a large share of a
   * start), and waited for by the first check that needs it.
   */
  private final CompletableFuture<String> decoy;

  public Passwords(Database db, Tenancy tenancy, AuditLog audit, Clock clock) {
    this.db = db;
    this.tenancy = tenancy;
    this.audit = audit;
    this.clock = clock;
    this.argon = Argon2id.standard();
    this.decoy =
        CompletableFuture.supplyAsync(
            () -> argon.hash(oneTimePassword()),
            task -> Thread.ofPlatform().daemon().name("keyroom-decoy-hash").start(task));
  }

  /** A signed-in person's account, as the password check found it. */
  public record Account(Tenant tenant, User user, boolean mustChange) {}

  /** Sets a user's password (from the profile page or {@code keyroom admin set-password}). */
  public void set(TenantId tenant, UserId user, String password, boolean mustChange, String actor) {
    checkStrength(password);
    String hash = argon.hash(password);
    db.jdbi()
        .useTransaction(
            h -> {
              tenancy
                  .findUser(h, tenant, user)
                  .orElseThrow(() -> new NotFoundException("no user with that id"));
              store(h, tenant, user, hash, mustChange, actor);
            });
  }

  private void store(
      Handle h, TenantId tenant, UserId user, String hash, boolean mustChange, String actor) {
    h.createUpdate("DELETE FROM web_passwords WHERE user_id = :u AND tenant_id = :t")
        .bind("u", user.value())
        .bind("t", tenant.value())
        .execute();
    h.createUpdate(
            "INSERT INTO web_passwords (user_id, tenant_id, hash, must_change, updated_at) VALUES (:u, :t, :h, :m, :now)")
        .bind("u", user.value())
        .bind("t", tenant.value())
        .bind("h", hash)
        .bind("m", mustChange ? 1 : 0)
        .bind("now", clock.millis())
        .execute();
    audit.append(
        h,
        tenant,
        AuditEvent.of(actor, "user.password")
            .target("user", user.value())
            .with("oneTime", Boolean.toString(mustChange)));
  }

  /**
   * A one-time password for a newcomer (an invitation), returned to be shown once. Only for an
   * active user who has never signed in, has no password of their own (none yet, or an unused
   * one-time one), has never held an API token and owns no integration: an admin must not be able
   * to take over an account a person already uses and so reach what that person owns. For anyone
   * else the operator has {@code keyroom admin set-password}. The checks and the write are one
   * transaction.
   */
  public String issueInvitation(TenantId tenant, UserId user, String actor) {
    String pw = oneTimePassword();
    String hash = argon.hash(pw);
    db.jdbi()
        .useTransaction(
            h -> {
              User u =
                  tenancy
                      .findUser(h, tenant, user)
                      .orElseThrow(() -> new NotFoundException("no user with that id"));
              if (!u.isActive()) {
                throw new ConflictException(
                    "user is disabled; a one-time password is only for an active user who never signed in");
              }
              String why = inUse(h, tenant, user);
              if (why != null) {
                throw new ConflictException(
                    "user "
                        + why
                        + "; a one-time password is only for a user who never signed in"
                        + " (the operator can reset it with keyroom admin set-password)");
              }
              store(h, tenant, user, hash, true, actor);
            });
    return pw;
  }

  /**
   * Whether {@link #issueInvitation} would answer for this user now: active, and nobody has used
   * the account yet. The page offers a new one-time password only then; the issue re-checks.
   */
  public boolean invitable(TenantId tenant, UserId user) {
    return db.jdbi()
        .withHandle(
            h ->
                tenancy.findUser(h, tenant, user).filter(User::isActive).isPresent()
                    && inUse(h, tenant, user) == null);
  }

  /** Why this account is already someone's, or null when it is still a newcomer's. */
  private static String inUse(Handle h, TenantId tenant, UserId user) {
    if (exists(
        h,
        "SELECT 1 FROM web_passwords WHERE tenant_id = :t AND user_id = :u AND must_change = 0",
        tenant,
        user)) {
      return "has a password of their own";
    }
    if (exists(
        h,
        "SELECT 1 FROM audit_events WHERE tenant_id = :t AND target_id = :u AND action = 'user.signin'",
        tenant,
        user)) {
      return "has signed in before";
    }
    if (exists(h, "SELECT 1 FROM api_tokens WHERE tenant_id = :t AND user_id = :u", tenant, user)) {
      return "has held an API token";
    }
    if (exists(
        h, "SELECT 1 FROM credentials WHERE tenant_id = :t AND owner_user_id = :u", tenant, user)) {
      return "owns integrations";
    }
    return null;
  }

  private static boolean exists(Handle h, String sql, TenantId tenant, UserId user) {
    return h.createQuery(sql)
        .bind("t", tenant.value())
        .bind("u", user.value())
        .mapTo(Integer.class)
        .findFirst()
        .isPresent();
  }

  /**
   * Sets a random one-time password and returns it (to be shown once); it must be changed on first
   * use.
   */
  public String setOneTime(TenantId tenant, UserId user, String actor) {
    String pw = oneTimePassword();
    set(tenant, user, pw, true, actor);
    return pw;
  }

  /**
   * The account when {@code password} is right for {@code userName} in tenant {@code tenantName}
   * and the user is active; empty otherwise. Exactly one Argon2id verification runs on every path
   * (an unknown tenant or user, a user without a password, an over-long password verify against a
   * decoy hash with the same parameters), so the time taken does not tell which users exist.
   */
  public Optional<Account> check(String tenantName, String userName, String password) {
    boolean usable = password != null && !password.isEmpty() && password.length() <= MAX_LENGTH;
    Optional<Tenant> tenant =
        !usable || tenantName == null
            ? Optional.empty()
            : tenancy.findTenantByName(tenantName.trim());
    Optional<Map<String, Object>> row =
        tenant.flatMap(
            t ->
                db.jdbi()
                    .withHandle(
                        h ->
                            h.createQuery(
                                    "SELECT u.id, p.hash, p.must_change FROM users u JOIN web_passwords p ON p.user_id = u.id"
                                        + " WHERE u.tenant_id = :t AND u.name = :n")
                                .bind("t", t.id().value())
                                .bind("n", userName == null ? "" : userName.trim())
                                .mapToMap()
                                .findOne()));
    String hash = row.map(r -> (String) r.get("hash")).orElseGet(decoy::join);
    boolean right = argon.verify(usable ? password : "", hash) && row.isPresent();
    if (!right) {
      return Optional.empty();
    }
    Tenant t = tenant.get();
    User u = tenancy.user(t.id(), new UserId((String) row.get().get("id")));
    return u.isActive()
        ? Optional.of(new Account(t, u, ((Number) row.get().get("must_change")).intValue() != 0))
        : Optional.empty();
  }

  public boolean mustChange(TenantId tenant, UserId user) {
    return db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT must_change FROM web_passwords WHERE user_id = :u AND tenant_id = :t")
                        .bind("u", user.value())
                        .bind("t", tenant.value())
                        .mapTo(Integer.class)
                        .findOne()
                        .orElse(0))
        != 0;
  }

  static void checkStrength(String password) {
    if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH) {
      throw new InvalidInputException("password", "must be at least " + MIN_LENGTH + " characters");
    }
    if (password.length() > MAX_LENGTH) {
      throw new InvalidInputException("password", "must be at most " + MAX_LENGTH + " characters");
    }
  }

  private static String oneTimePassword() {
    StringBuilder sb = new StringBuilder(23);
    for (int i = 0; i < 20; i++) {
      if (i > 0 && i % 5 == 0) {
        sb.append('-');
      }
      sb.append(ONE_TIME_ALPHABET[RANDOM.nextInt(ONE_TIME_ALPHABET.length)]);
    }
    return sb.toString();
  }
}
