package dev.keyroom.web;

import dev.keyroom.crypto.TenantKeys;
import dev.keyroom.store.Database;
import dev.keyroom.store.Identifiers;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.TokenFormat;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Values the web UI shows exactly once: a new session's token, a new API token, a one-time
 * password. A form post hands the value to {@link #keep} and redirects; the page it redirects to
 * calls {@link #take}, which returns the value and deletes it in one transaction, so a reload, a
 * second tab or the back button never shows it again, and it never travels in a URL. Meanwhile it
 * is stored encrypted under the tenant's data key, bound to the browser session, its kind and its
 * subject; it dies with the browser session (sign-out, a disabled user) and after {@link #TTL}.
 */
public final class Reveals {
  /** How long a value waits for the page that shows it. */
  static final Duration TTL = Duration.ofMinutes(5);

  /** What is being shown once. */
  public enum Kind {
    SESSION_TOKEN("session-token"),
    API_TOKEN("api-token"),
    ONE_TIME_PASSWORD("one-time-password");

    final String wire;

    Kind(String wire) {
      this.wire = wire;
    }
  }

  /** A value taken for showing. Its {@code toString} never prints it. */
  public record Revealed(String value) {
    @Override
    public String toString() {
      return "Revealed[REDACTED]";
    }
  }

  private static final String INSERT =
      "INSERT INTO web_reveals (id, browser_session, tenant_id, kind, subject_id,"
          + " ciphertext, expires_at) VALUES (:id, :b, :t, :k, :s, :ct, :exp)";
  private static final String FIND =
      "SELECT id, ciphertext, expires_at FROM web_reveals WHERE browser_session = :b"
          + " AND tenant_id = :t AND kind = :k AND subject_id = :s ORDER BY expires_at DESC";
  private static final String DELETE_MATCHING =
      "DELETE FROM web_reveals WHERE browser_session = :b AND tenant_id = :t"
          + " AND kind = :k AND subject_id = :s";
  private static final String DELETE_EXPIRED = "DELETE FROM web_reveals WHERE expires_at <= :now";

  private final Database db;
  private final TenantKeys keys;
  private final Clock clock;

  public Reveals(Database db, TenantKeys keys, Clock clock) {
    this.db = db;
    this.keys = keys;
    this.clock = clock;
  }

  /** The key of a browser session, from its cookie value: the hash the session store keeps. */
  static String browserSession(String cookieValue) {
    return TokenFormat.hash(cookieValue);
  }

  /**
   * Keeps {@code value} for the next page of this browser session; replaces an unshown one for the
   * same subject.
   */
  void keep(String browserSession, TenantId tenant, Kind kind, String subject, String value) {
    String id = Identifiers.random("rev");
    long now = clock.millis();
    byte[] ct =
        keys.encrypt(
            tenant, value.getBytes(StandardCharsets.UTF_8), context(browserSession, kind, subject));
    db.jdbi()
        .useTransaction(
            h -> {
              h.createUpdate(DELETE_EXPIRED).bind("now", now).execute();
              bindKey(h.createUpdate(DELETE_MATCHING), browserSession, tenant, kind, subject)
                  .execute();
              bindKey(h.createUpdate(INSERT), browserSession, tenant, kind, subject)
                  .bind("id", id)
                  .bind("ct", Base64.getEncoder().encodeToString(ct))
                  .bind("exp", now + TTL.toMillis())
                  .execute();
            });
  }

  /**
   * The value kept for this browser session and subject, removed as it is returned; empty when it
   * was shown already, expired, or kept by another browser session.
   */
  Optional<Revealed> take(String browserSession, TenantId tenant, Kind kind, String subject) {
    long now = clock.millis();
    Optional<Map<String, Object>> row =
        db.jdbi()
            .inTransaction(
                h -> {
                  Optional<Map<String, Object>> found =
                      bindKey(h.createQuery(FIND), browserSession, tenant, kind, subject)
                          .mapToMap()
                          .findFirst();
                  if (found.isEmpty()) {
                    return found;
                  }
                  // Whoever deletes the rows shows the value; a concurrent request deleting nothing
                  // shows nothing.
                  int deleted =
                      bindKey(
                              h.createUpdate(DELETE_MATCHING),
                              browserSession,
                              tenant,
                              kind,
                              subject)
                          .execute();
                  return deleted == 0 || ((Number) found.get().get("expires_at")).longValue() <= now
                      ? Optional.empty()
                      : found;
                });
    return row.map(
        r ->
            new Revealed(
                new String(
                    keys.decrypt(
                        tenant,
                        Base64.getDecoder().decode((String) r.get("ciphertext")),
                        context(browserSession, kind, subject),
                        "a value shown once"),
                    StandardCharsets.UTF_8)));
  }

  private static <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bindKey(
      T statement, String browserSession, TenantId tenant, Kind kind, String subject) {
    return statement
        .bind("b", browserSession)
        .bind("t", tenant.value())
        .bind("k", kind.wire)
        .bind("s", subject);
  }

  private static byte[] context(String browserSession, Kind kind, String subject) {
    return ("keyroom/web-reveal/" + kind.wire + "/" + subject + "/" + browserSession)
        .getBytes(StandardCharsets.UTF_8);
  }
}
