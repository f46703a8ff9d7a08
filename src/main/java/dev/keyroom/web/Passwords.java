package dev.keyroom.web;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
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

/**
 * Web sign-in passwords, stored as Argon2id hashes only. A one-time password (from
 * {@code keyroom admin create-tenant}) must be changed at the first sign-in.
 */
public final class Passwords {
  public static final int MIN_LENGTH = 12;
  public static final int MAX_LENGTH = 256;
  private static final char[] ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final Tenancy tenancy;
  private final AuditLog audit;
  private final Clock clock;
  private final Argon2id argon;
  /** Hash of a random password: verified against when the user is unknown, so timing does not tell. */
  private final String decoy;

  public Passwords(Database db, Tenancy tenancy, AuditLog audit, Clock clock) {
    this.db = db;
    this.tenancy = tenancy;
    this.audit = audit;
    this.clock = clock;
    this.argon = Argon2id.standard();
    this.decoy = argon.hash(oneTimePassword());
  }

  /** A signed-in person's account, as the password check found it. */
  public record Account(Tenant tenant, User user, boolean mustChange) {}

  /** Sets a user's password (from the profile page or {@code keyroom admin set-password}). */
  public void set(TenantId tenant, UserId user, String password, boolean mustChange, String actor) {
    checkStrength(password);
    String hash = argon.hash(password);
    long now = clock.millis();
    db.jdbi().useTransaction(h -> {
      tenancy.findUser(h, tenant, user).orElseThrow(() -> new NotFoundException("no user with that id"));
      h.createUpdate("DELETE FROM web_passwords WHERE user_id = :u AND tenant_id = :t")
          .bind("u", user.value()).bind("t", tenant.value()).execute();
      h.createUpdate("INSERT INTO web_passwords (user_id, tenant_id, hash, must_change, updated_at) VALUES (:u, :t, :h, :m, :now)")
          .bind("u", user.value()).bind("t", tenant.value()).bind("h", hash).bind("m", mustChange ? 1 : 0)
          .bind("now", now).execute();
      audit.append(h, tenant, AuditEvent.of(actor, "user.password").target("user", user.value())
          .with("oneTime", Boolean.toString(mustChange)));
    });
  }

  /** Sets a random one-time password and returns it (to be shown once); it must be changed on first use. */
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
    Optional<Tenant> tenant = !usable || tenantName == null ? Optional.empty() : tenancy.findTenantByName(tenantName.trim());
    Optional<Map<String, Object>> row = tenant.flatMap(t -> db.jdbi().withHandle(h -> h.createQuery(
            "SELECT u.id, p.hash, p.must_change FROM users u JOIN web_passwords p ON p.user_id = u.id"
                + " WHERE u.tenant_id = :t AND u.name = :n")
        .bind("t", t.id().value()).bind("n", userName == null ? "" : userName.trim()).mapToMap().findOne()));
    String hash = row.map(r -> (String) r.get("hash")).orElse(decoy);
    boolean right = argon.verify(usable ? password : "", hash) && row.isPresent();
    if (!right) {
      return Optional.empty();
    }
    Tenant t = tenant.get();
    User u = tenancy.user(t.id(), new UserId((String) row.get().get("id")));
    return u.isActive() ? Optional.of(new Account(t, u, ((Number) row.get().get("must_change")).intValue() != 0))
        : Optional.empty();
  }

  public boolean mustChange(TenantId tenant, UserId user) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT must_change FROM web_passwords WHERE user_id = :u AND tenant_id = :t")
        .bind("u", user.value()).bind("t", tenant.value()).mapTo(Integer.class).findOne().orElse(0)) != 0;
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
