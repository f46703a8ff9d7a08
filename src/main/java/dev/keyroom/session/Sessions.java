package dev.keyroom.session;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.crypto.TenantKeys;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.error.UnauthenticatedException;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.TokenFormat;
import dev.keyroom.tenancy.UserId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * Sessions: a {@code kr_sess_} token for the launcher and a {@code kr_ph_<provider>_} placeholder
 * per enabled proxied tool. Ending a session refuses its token and placeholders at once.
 */
public final class Sessions {
  public static final String PLACEHOLDER_PREFIX = "kr_ph_";
  private static final Pattern PLACEHOLDER =
      Pattern.compile("kr_ph_([a-z0-9-]{1,32})_([A-Za-z0-9_-]{43})");

  /** Last-seen times are written at most this often per session (idle timeout bookkeeping). */
  private static final long SEEN_WRITE_INTERVAL_MS = 10_000;

  /** A session row with its user's status: a disabled user's session is never live. */
  private static final String SELECT_SESSION =
      "SELECT s.*, u.status AS user_status FROM sessions s JOIN users u ON u.id = s.user_id";

  private final Database db;
  private final TenantKeys keys;
  private final Catalog catalog;
  private final Workrooms workrooms;
  private final AuditLog audit;
  private final Clock clock;
  private final Duration maxLifetime;
  private final Duration idleTimeout;
  private final DeliveryLedger ledger;
  private final List<Consumer<SessionInfo>> endListeners = new CopyOnWriteArrayList<>();

  public Sessions(
      Database db,
      TenantKeys keys,
      Catalog catalog,
      Workrooms workrooms,
      AuditLog audit,
      Clock clock,
      Duration maxLifetime,
      Duration idleTimeout) {
    this(
        db,
        keys,
        catalog,
        workrooms,
        audit,
        clock,
        maxLifetime,
        idleTimeout,
        new DeliveryLedger(db));
  }

  public Sessions(
      Database db,
      TenantKeys keys,
      Catalog catalog,
      Workrooms workrooms,
      AuditLog audit,
      Clock clock,
      Duration maxLifetime,
      Duration idleTimeout,
      DeliveryLedger ledger) {
    this.ledger = ledger;
    this.db = db;
    this.keys = keys;
    this.catalog = catalog;
    this.workrooms = workrooms;
    this.audit = audit;
    this.clock = clock;
    this.maxLifetime = maxLifetime;
    this.idleTimeout = idleTimeout;
  }

  /** A started session. {@code token} is shown once. */
  public record Started(SessionInfo session, String token) {
    @Override
    public String toString() {
      return "Started[session=" + session.id() + ", token=[REDACTED]]";
    }
  }

  /** Called after a session ends (proxy caches, event streams). */
  public void onEnd(Consumer<SessionInfo> listener) {
    endListeners.add(listener);
  }

  /**
   * Starts a session for {@code user}: {@code by} says whether the user started it themselves or
   * the platform did on their behalf (which limits what of theirs reaches it). No visibility check:
   * for callers that have made their own.
   */
  public Started start(
      TenantId tenant, WorkroomId workroomId, UserId user, StartedBy by, String actor) {
    return start(tenant, workroomId, user, by, actor, new Workrooms.Viewer(user, true));
  }

  /**
   * Starts a session as {@code viewer} asks: a workroom the viewer may not see is a 404, as if it
   * did not exist. One transaction of a fixed number of statements, whatever the workroom holds:
   * the workroom (two), the member admitted (one, which also locks the membership against a
   * concurrent removal), the session, its placeholders (one batch) and the audit event.
   */
  public Started start(
      TenantId tenant,
      WorkroomId workroomId,
      UserId user,
      StartedBy by,
      String actor,
      Workrooms.Viewer viewer) {
    long now = clock.millis();
    SessionId id = SessionId.generate();
    String token = TokenFormat.generate(TokenFormat.SESSION);
    return db.jdbi()
        .inTransaction(
            h -> {
              Workroom workroom =
                  workrooms
                      .find(h, tenant, workroomId)
                      .orElseThrow(() -> new NotFoundException("no workroom with that id"));
              // Only an active member of the workroom receives its secrets, whoever starts the
              // session for them; why not is worked out only when the answer is no.
              if (!workrooms.members().admit(h, tenant, workroomId, user)) {
                refuse(h, tenant, workroomId, user, viewer);
              }
              byte[] tokenCt =
                  keys.encrypt(tenant, token.getBytes(StandardCharsets.UTF_8), tokenContext(id));
              h.createUpdate(
                      "INSERT INTO sessions (id, tenant_id, workroom_id, user_id, token_hash, token_ciphertext, started_at,"
                          + " expires_at, idle_timeout_ms, last_seen_at, started_by)"
                          + " VALUES (:id, :t, :w, :u, :hash, :ct, :now, :exp, :idle, :now, :by)")
                  .bind("id", id.value())
                  .bind("t", tenant.value())
                  .bind("w", workroomId.value())
                  .bind("u", user.value())
                  .bind("hash", TokenFormat.hash(token))
                  .bind("ct", Base64.getEncoder().encodeToString(tokenCt))
                  .bind("now", now)
                  .bind("exp", now + maxLifetime.toMillis())
                  .bind("idle", idleTimeout.toMillis())
                  .bind("by", by.wire)
                  .execute();
              issuePlaceholders(
                  h,
                  tenant,
                  id,
                  workroom.tools().stream()
                      .map(tool -> catalog.find(tool.kind()))
                      .flatMap(Optional::stream)
                      .filter(CredentialKind::isProxied)
                      .map(CredentialKind::id)
                      .distinct()
                      .toList(),
                  now);
              audit.append(
                  h,
                  tenant,
                  AuditEvent.of(actor, "session.start")
                      .target("session", id.value())
                      .context(id.value(), workroomId.value(), null)
                      .with("user", user.value())
                      .with("startedBy", by.wire));
              return new Started(
                  new SessionInfo(
                      id,
                      tenant,
                      workroomId,
                      user,
                      now,
                      now + maxLifetime.toMillis(),
                      idleTimeout.toMillis(),
                      now,
                      null,
                      null,
                      by,
                      true),
                  token);
            });
  }

  /**
   * Why {@code user} may not start a session here, in the order a caller should learn it: a
   * workroom the viewer does not see (404), no such user (404), a disabled user (403), not a member
   * (403).
   */
  private void refuse(
      Handle h, TenantId tenant, WorkroomId workroom, UserId user, Workrooms.Viewer viewer) {
    if (!viewer.seesEverything()
        && !workrooms.members().isMember(h, tenant, workroom, viewer.user())) {
      throw new NotFoundException("no workroom with that id");
    }
    String status =
        h.createQuery("SELECT status FROM users WHERE tenant_id = :t AND id = :u")
            .bind("t", tenant.value())
            .bind("u", user.value())
            .mapTo(String.class)
            .findOne()
            .orElseThrow(() -> new NotFoundException("no user with that id in this tenant"));
    if (!"active".equals(status)) {
      throw new ForbiddenException(
          "user " + user + " is disabled; a disabled user cannot start sessions");
    }
    workrooms.members().requireMember(h, tenant, workroom, user);
    // admitted on the second look: the membership or the user changed between the two
    throw new dev.keyroom.error.ConflictException(
        "the user's membership or status changed while the session was starting; try again");
  }

  /**
   * The session token (decrypted for the environment the platform fetches with its service token).
   */
  public String token(TenantId tenant, SessionId session) {
    String ct =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT token_ciphertext FROM sessions WHERE tenant_id = :t AND id = :s")
                        .bind("t", tenant.value())
                        .bind("s", session.value())
                        .mapTo(String.class)
                        .findOne())
            .orElseThrow(() -> new NotFoundException("no session with that id"));
    return new String(
        keys.decrypt(
            tenant,
            Base64.getDecoder().decode(ct),
            tokenContext(session),
            "token of session " + session),
        StandardCharsets.UTF_8);
  }

  /** Live sessions past their lifetime or idle timeout, for the sweeper to end. */
  public List<SessionInfo> overdue() {
    long now = clock.millis();
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        SELECT_SESSION
                            + " WHERE s.ended_at IS NULL"
                            + " AND (s.expires_at <= :now OR s.last_seen_at + s.idle_timeout_ms <= :now)")
                    .bind("now", now)
                    .map((rs, ctx) -> row(rs))
                    .list());
  }

  /** Records use of a live session (an open event stream counts), at most every few seconds. */
  public void touch(SessionInfo s) {
    long now = clock.millis();
    if (now - s.lastSeenAt() >= SEEN_WRITE_INTERVAL_MS) {
      db.jdbi()
          .useHandle(
              h ->
                  h.createUpdate(
                          "UPDATE sessions SET last_seen_at = :now WHERE id = :id AND last_seen_at < :now")
                      .bind("now", now)
                      .bind("id", s.id().value())
                      .execute());
    }
  }

  public DeliveryLedger ledger() {
    return ledger;
  }

  /** The session's placeholders by provider (decrypted for the environment). */
  public Map<String, String> placeholders(TenantId tenant, SessionId session) {
    return secrets(tenant, session).placeholders();
  }

  /** A session's token and its placeholders by provider, decrypted. */
  public record Secrets(String token, Map<String, String> placeholders) {
    @Override
    public String toString() {
      return "Secrets[token=[REDACTED], placeholders=" + placeholders.keySet() + "]";
    }
  }

  /** The session's token and placeholders, read in one statement. */
  public Secrets secrets(TenantId tenant, SessionId session) {
    record Row(String token, String provider, String placeholder) {}
    List<Row> rows =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT s.token_ciphertext, p.provider, p.ciphertext FROM sessions s"
                                + " LEFT JOIN session_placeholders p"
                                + " ON p.session_id = s.id AND p.tenant_id = s.tenant_id"
                                + " WHERE s.tenant_id = :t AND s.id = :s")
                        .bind("t", tenant.value())
                        .bind("s", session.value())
                        .map(
                            (rs, ctx) ->
                                new Row(
                                    rs.getString("token_ciphertext"),
                                    rs.getString("provider"),
                                    rs.getString("ciphertext")))
                        .list());
    if (rows.isEmpty()) {
      throw new NotFoundException("no session with that id");
    }
    Map<String, String> placeholders = new TreeMap<>();
    for (Row r : rows) {
      if (r.provider() != null) {
        byte[] plain =
            keys.decrypt(
                tenant,
                Base64.getDecoder().decode(r.placeholder()),
                placeholderContext(session, r.provider()),
                "placeholder of session " + session);
        placeholders.put(r.provider(), new String(plain, StandardCharsets.UTF_8));
      }
    }
    String token =
        new String(
            keys.decrypt(
                tenant,
                Base64.getDecoder().decode(rows.get(0).token()),
                tokenContext(session),
                "token of session " + session),
            StandardCharsets.UTF_8);
    return new Secrets(token, java.util.Collections.unmodifiableMap(placeholders));
  }

  /**
   * Authenticates a placeholder presented on {@code provider}'s proxy route. 401 when unknown or
   * malformed; 403 when it belongs to another provider or its session is no longer live.
   */
  public PlaceholderGrant authenticatePlaceholder(String provider, String placeholder) {
    if (placeholder == null || !PLACEHOLDER.matcher(placeholder).matches()) {
      throw new UnauthenticatedException(
          "missing or malformed placeholder; expected kr_ph_"
              + provider
              + "_…"
              + " in the header the provider's SDK sends its key in");
    }
    Optional<Map<String, Object>> row =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT placeholder_hash, session_id, tenant_id, provider FROM session_placeholders WHERE placeholder_hash = :hash")
                        .bind("hash", TokenFormat.hash(placeholder))
                        .mapToMap()
                        .findOne());
    if (row.isEmpty()
        || !TokenFormat.sameHash(
            (String) row.get().get("placeholder_hash"), TokenFormat.hash(placeholder))) {
      throw new UnauthenticatedException("placeholder is not known to Keyroom");
    }
    String issuedFor = (String) row.get().get("provider");
    TenantId tenant = new TenantId((String) row.get().get("tenant_id"));
    SessionId sessionId = new SessionId((String) row.get().get("session_id"));
    try {
      if (!issuedFor.equals(provider)) {
        throw new ForbiddenException(
            "this placeholder was issued for provider '" + issuedFor + "', not '" + provider + "'");
      }
      return new PlaceholderGrant(requireLive(tenant, sessionId), provider);
    } catch (ForbiddenException e) {
      WorkroomId workroom =
          db.jdbi()
              .withHandle(h -> get(h, tenant, sessionId))
              .map(SessionInfo::workroom)
              .orElse(null);
      throw new PlaceholderRefusedException(e, tenant, sessionId, workroom);
    }
  }

  /** Authenticates a {@code kr_sess_} token; 401 when unknown, 403 when the session ended. */
  public SessionInfo authenticateToken(String token) {
    if (!TokenFormat.isWellFormed(token, TokenFormat.SESSION)) {
      throw new UnauthenticatedException("malformed session token; expected kr_sess_…");
    }
    String hash = TokenFormat.hash(token);
    record Found(SessionInfo session, String hash) {}
    Optional<Found> found =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(SELECT_SESSION + " WHERE s.token_hash = :hash")
                        .bind("hash", hash)
                        .map((rs, ctx) -> new Found(row(rs), rs.getString("token_hash")))
                        .findOne());
    if (found.isEmpty() || !TokenFormat.sameHash(found.get().hash(), hash)) {
      throw new UnauthenticatedException("session token is not known to Keyroom");
    }
    return live(found.get().session());
  }

  /** Checks that the session is live (not ended, expired or idle too long); 403 otherwise. */
  public SessionInfo requireLive(SessionInfo s) {
    return requireLive(s.tenant(), s.id());
  }

  public SessionInfo get(TenantId tenant, SessionId id) {
    return db.jdbi()
        .withHandle(h -> get(h, tenant, id))
        .orElseThrow(() -> new NotFoundException("no session with that id"));
  }

  public List<SessionInfo> live(TenantId tenant, WorkroomId workroom) {
    workrooms.get(tenant, workroom); // another tenant's (or no) workroom is 404, not an empty list
    long now = clock.millis();
    return db
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        SELECT_SESSION
                            + " WHERE s.tenant_id = :t AND s.workroom_id = :w AND s.ended_at IS NULL")
                    .bind("t", tenant.value())
                    .bind("w", workroom.value())
                    .map((rs, ctx) -> row(rs))
                    .list())
        .stream()
        .filter(s -> s.isLive(now))
        .toList();
  }

  /** Ends a session: token and placeholders are refused from now on. Idempotent. */
  public SessionInfo end(TenantId tenant, SessionId id, String reason, String actor) {
    long now = clock.millis();
    Ended ended =
        db.jdbi()
            .inTransaction(
                h -> {
                  SessionInfo s =
                      get(h, tenant, id)
                          .orElseThrow(() -> new NotFoundException("no session with that id"));
                  if (s.endedAt() != null) {
                    return new Ended(s, false);
                  }
                  return new Ended(endIn(h, s, reason, actor, now), true);
                });
    if (ended.now()) {
      announce(ended.session());
    }
    return ended.session();
  }

  private record Ended(SessionInfo session, boolean now) {}

  /**
   * Ends, inside the caller's transaction, every session not yet ended of {@code user} (of everyone
   * when null), only in {@code onlyIn} and only those started {@code onlyBy} when those are not
   * null: disabling a user, leaving a workroom, withdrawing consent. End listeners hear of them
   * once the transaction commits.
   */
  public List<SessionInfo> endAll(
      Handle h,
      TenantId tenant,
      WorkroomId onlyIn,
      UserId user,
      StartedBy onlyBy,
      String reason,
      String actor) {
    long now = clock.millis();
    List<SessionInfo> open =
        h.createQuery(
                SELECT_SESSION
                    + " WHERE s.tenant_id = :t AND s.ended_at IS NULL"
                    + (user == null ? "" : " AND s.user_id = :u")
                    + (onlyIn == null ? "" : " AND s.workroom_id = :w")
                    + (onlyBy == null ? "" : " AND s.started_by = :by"))
            .bind("t", tenant.value())
            .bind("u", user == null ? null : user.value())
            .bind("w", onlyIn == null ? null : onlyIn.value())
            .bind("by", onlyBy == null ? null : onlyBy.wire)
            .map((rs, ctx) -> row(rs))
            .list();
    List<SessionInfo> ended = open.stream().map(s -> endIn(h, s, reason, actor, now)).toList();
    h.afterCommit(() -> ended.forEach(this::announce));
    return ended;
  }

  /**
   * Ends, inside the caller's transaction, every session of the workroom not yet ended (of one
   * user, or of everyone when {@code user} is null). End listeners hear of them once it commits.
   */
  public List<SessionId> endLive(
      Handle h, TenantId tenant, WorkroomId workroom, UserId user, String reason, String actor) {
    return endAll(h, tenant, workroom, user, null, reason, actor).stream()
        .map(SessionInfo::id)
        .toList();
  }

  private SessionInfo endIn(Handle h, SessionInfo s, String reason, String actor, long now) {
    TenantId tenant = s.tenant();
    SessionId id = s.id();
    h.createUpdate(
            "UPDATE sessions SET ended_at = :now, end_reason = :r WHERE tenant_id = :t AND id = :id AND ended_at IS NULL")
        .bind("now", now)
        .bind("r", reason)
        .bind("t", tenant.value())
        .bind("id", id.value())
        .execute();
    int wiped = ledger.wipe(h, tenant, id, now);
    audit.append(
        h,
        tenant,
        AuditEvent.of(actor, "session.end")
            .target("session", id.value())
            .context(id.value(), s.workroom().value(), null)
            .with("reason", reason)
            .with("deliveriesWiped", wiped));
    return get(h, tenant, id).orElseThrow();
  }

  /**
   * Tells every end listener (event streams, proxy caches and exchanges) that this session ended.
   */
  private void announce(SessionInfo s) {
    for (Consumer<SessionInfo> l : endListeners) {
      l.accept(s);
    }
  }

  private SessionInfo requireLive(TenantId tenant, SessionId id) {
    return live(get(tenant, id));
  }

  /** {@code s} as just read, if it is live; 403 naming why not otherwise. */
  private SessionInfo live(SessionInfo s) {
    SessionId id = s.id();
    long now = clock.millis();
    if (s.endedAt() != null) {
      throw new ForbiddenException("session " + id + " has ended (" + s.endReason() + ")");
    }
    if (!s.userActive()) {
      throw new ForbiddenException("session " + id + " belongs to a disabled user");
    }
    if (now >= s.expiresAt()) {
      throw new ForbiddenException("session " + id + " has expired (maximum lifetime reached)");
    }
    if (now - s.lastSeenAt() >= s.idleTimeoutMs()) {
      throw new ForbiddenException("session " + id + " has expired (idle too long)");
    }
    touch(s);
    return s;
  }

  /** One placeholder per proxied provider of the session, written in one batch. */
  private void issuePlaceholders(
      Handle h, TenantId tenant, SessionId session, List<String> providers, long now) {
    if (providers.isEmpty()) {
      return;
    }
    var batch =
        h.prepareBatch(
            "INSERT INTO session_placeholders (placeholder_hash, session_id, tenant_id, provider, ciphertext, created_at)"
                + " VALUES (:hash, :s, :t, :p, :c, :now)");
    for (String provider : providers) {
      String placeholder = PLACEHOLDER_PREFIX + provider + "_" + TokenFormat.generate("");
      byte[] ct =
          keys.encrypt(
              tenant,
              placeholder.getBytes(StandardCharsets.UTF_8),
              placeholderContext(session, provider));
      batch
          .bind("hash", TokenFormat.hash(placeholder))
          .bind("s", session.value())
          .bind("t", tenant.value())
          .bind("p", provider)
          .bind("c", Base64.getEncoder().encodeToString(ct))
          .bind("now", now)
          .add();
    }
    batch.execute();
  }

  private static byte[] tokenContext(SessionId session) {
    return ("keyroom/session-token/" + session.value()).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] placeholderContext(SessionId session, String provider) {
    return ("keyroom/placeholder/" + session.value() + "/" + provider)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static Optional<SessionInfo> get(Handle h, TenantId tenant, SessionId id) {
    return h.createQuery(SELECT_SESSION + " WHERE s.tenant_id = :t AND s.id = :id")
        .bind("t", tenant.value())
        .bind("id", id.value())
        .map((rs, ctx) -> row(rs))
        .findOne();
  }

  private static SessionInfo row(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new SessionInfo(
        new SessionId(rs.getString("id")),
        new TenantId(rs.getString("tenant_id")),
        new WorkroomId(rs.getString("workroom_id")),
        new UserId(rs.getString("user_id")),
        rs.getLong("started_at"),
        rs.getLong("expires_at"),
        rs.getLong("idle_timeout_ms"),
        rs.getLong("last_seen_at"),
        dev.keyroom.store.Rows.nullableLong(rs, "ended_at"),
        rs.getString("end_reason"),
        StartedBy.fromWire(rs.getString("started_by")),
        "active".equals(rs.getString("user_status")));
  }
}
