package dev.keyroom.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyroom.store.Database;
import dev.keyroom.store.Keyset;
import dev.keyroom.store.Page;
import dev.keyroom.tenancy.TenantId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The tenant's append-only audit log. Each row carries the hash of the one before it, and the
 * tenant row carries the newest (sequence, hash), so an edited, deleted, reordered or truncated row
 * is detected by {@link #verify(TenantId)}.
 */
public final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> DETAIL = new TypeReference<>() {};

  private final Database db;
  private final Clock clock;

  public AuditLog(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Appends inside the caller's transaction, so the change and its record commit together. */
  public long append(Handle h, TenantId tenant, AuditEvent event) {
    return appendAll(h, tenant, List.of(event));
  }

  /**
   * Appends several events, in order, inside the caller's transaction (the usage writer's batches).
   * The tenant's head is locked once (FOR NO KEY UPDATE on PostgreSQL; SQLite's write transaction
   * holds the whole file), the events are chained one after the other, inserted as one batch, and
   * the head moves to the last. A concurrent append of the same tenant waits for the lock, so the
   * chain stays one line whatever the mix of single and batched appends. Returns the sequence
   * number of the last event (the head's when {@code events} is empty).
   *
   * @throws IllegalStateException outside a transaction, or when the tenant does not exist
   */
  public long appendAll(Handle h, TenantId tenant, List<AuditEvent> events) {
    if (!h.isInTransaction()) {
      throw new IllegalStateException(
          "audit rows are appended inside the transaction of the change");
    }
    Map<String, Object> head =
        h.createQuery(
                "SELECT audit_seq, audit_head FROM tenants WHERE id = :t" + db.forNoKeyUpdate())
            .bind("t", tenant.value())
            .mapToMap()
            .findOne()
            .orElseThrow(() -> new IllegalStateException("audit for unknown tenant " + tenant));
    long seq = ((Number) head.get("audit_seq")).longValue();
    if (events.isEmpty()) {
      return seq;
    }
    String prev = seq == 0 ? AuditChain.GENESIS : (String) head.get("audit_head");
    PreparedBatch insert =
        h.prepareBatch(
            "INSERT INTO audit_events (tenant_id, seq, at, actor, action, target_type, target_id,"
                + " outcome, session_id, workroom_id, skill, detail, prev_hash, hash) VALUES (:t, :seq, :at,"
                + " :actor, :action, :tt, :tid, :outcome, :session, :workroom, :skill, :detail, :prev, :hash)");
    for (AuditEvent event : events) {
      seq++;
      long at = clock.millis();
      String hash =
          AuditChain.hash(
              prev,
              tenant.value(),
              seq,
              at,
              event.actor(),
              event.action(),
              event.targetType(),
              event.targetId(),
              event.outcome(),
              event.sessionId(),
              event.workroomId(),
              event.skill(),
              event.detail());
      insert
          .bind("t", tenant.value())
          .bind("seq", seq)
          .bind("at", at)
          .bind("actor", event.actor())
          .bind("action", event.action())
          .bind("tt", event.targetType())
          .bind("tid", event.targetId())
          .bind("outcome", event.outcome())
          .bind("session", event.sessionId())
          .bind("workroom", event.workroomId())
          .bind("skill", event.skill())
          .bind("detail", toJson(event.detail()))
          .bind("prev", prev)
          .bind("hash", hash)
          .add();
      prev = hash;
    }
    insert.execute();
    h.createUpdate("UPDATE tenants SET audit_seq = :seq, audit_head = :hash WHERE id = :t")
        .bind("seq", seq)
        .bind("hash", prev)
        .bind("t", tenant.value())
        .execute();
    return seq;
  }

  /** Appends in a transaction of its own (for events that change nothing else, e.g. denials). */
  public long record(TenantId tenant, AuditEvent event) {
    return db.jdbi().inTransaction(h -> append(h, tenant, event));
  }

  /** Filters for {@link #query}. Null means "any". Results are newest first. */
  public record Filter(
      String actor,
      String action,
      String targetId,
      String sessionId,
      String workroomId,
      Long from,
      Long to,
      Long beforeSeq,
      int limit) {
    Search search() {
      return new Search(actor, action, targetId, sessionId, workroomId, from, to);
    }
  }

  /**
   * What {@link #page} lists: null means "any"; {@code action} is an exact action or a prefix
   * ({@code secret} matches {@code secret.create}); {@code from} is inclusive, {@code to} exclusive
   * (epoch milliseconds).
   */
  public record Search(
      String actor,
      String action,
      String targetId,
      String sessionId,
      String workroomId,
      Long from,
      Long to) {
    public static final Search ANY = new Search(null, null, null, null, null, null, null);
  }

  /** The most rows one page may hold (the API's and the pages' own limits are at most this). */
  public static final int MAX_PAGE = 1000;

  /** Newest first by sequence number, which is unique per tenant. */
  private static final Keyset NEWEST_FIRST = Keyset.descending("seq");

  /**
   * Rows for people to read (the audit API and pages, admins only): a member's fingerprints and
   * hints are left out ({@link AuditRecord#withoutMemberFingerprints}); {@link #verify} reads the
   * rows as stored.
   */
  public List<AuditRecord> query(TenantId tenant, Filter f) {
    return page(
            tenant,
            f.search(),
            f.beforeSeq() == null ? Keyset.From.start() : Keyset.From.after(f.beforeSeq()),
            f.limit())
        .rows();
  }

  /**
   * One page of the tenant's rows, newest first, as {@link #query} shows them. The page starts at
   * the newest row, or after a sequence number ({@code From.after(seq)}: older rows) or before one
   * ({@code From.before(seq)}: newer rows).
   */
  public Page<AuditRecord> page(TenantId tenant, Search f, Keyset.From from, int size) {
    if (size < 1 || size > MAX_PAGE) {
      throw new IllegalArgumentException("an audit page holds 1 to " + MAX_PAGE + " rows");
    }
    StringBuilder where = new StringBuilder("FROM audit_events WHERE tenant_id = :t");
    if (f.actor() != null) where.append(" AND actor = :actor");
    if (f.action() != null) where.append(" AND (action = :action OR action LIKE :actionPrefix)");
    if (f.targetId() != null) where.append(" AND target_id = :target");
    if (f.sessionId() != null) where.append(" AND session_id = :session");
    if (f.workroomId() != null) where.append(" AND workroom_id = :workroom");
    if (f.from() != null) where.append(" AND at >= :from");
    if (f.to() != null) where.append(" AND at < :to");
    return db.jdbi()
        .withHandle(
            h ->
                NEWEST_FIRST.page(
                    h,
                    "*",
                    where.toString(),
                    q -> {
                      q.bind("t", tenant.value());
                      if (f.actor() != null) q.bind("actor", f.actor());
                      if (f.action() != null)
                        q.bind("action", f.action())
                            .bind("actionPrefix", f.action().replace("%", "") + ".%");
                      if (f.targetId() != null) q.bind("target", f.targetId());
                      if (f.sessionId() != null) q.bind("session", f.sessionId());
                      if (f.workroomId() != null) q.bind("workroom", f.workroomId());
                      if (f.from() != null) q.bind("from", f.from());
                      if (f.to() != null) q.bind("to", f.to());
                    },
                    from,
                    size,
                    (rs, ctx) -> row(rs).withoutMemberFingerprints()));
  }

  /** The result of walking a tenant's chain. {@code problem} is null when the chain is intact. */
  public record Verification(boolean intact, long rowsChecked, Long badSeq, String problem) {}

  public Verification verify(TenantId tenant) {
    return db.jdbi()
        .withHandle(
            h -> {
              Map<String, Object> head =
                  h.createQuery("SELECT audit_seq, audit_head FROM tenants WHERE id = :t")
                      .bind("t", tenant.value())
                      .mapToMap()
                      .findOne()
                      .orElse(null);
              if (head == null) {
                return new Verification(false, 0, null, "tenant " + tenant + " does not exist");
              }
              long headSeq = ((Number) head.get("audit_seq")).longValue();
              String headHash = (String) head.get("audit_head");
              List<Verification> result = new ArrayList<>(1);
              long[] expected = {1};
              String[] prev = {AuditChain.GENESIS};
              h.createQuery("SELECT * FROM audit_events WHERE tenant_id = :t ORDER BY seq")
                  .bind("t", tenant.value())
                  .map((rs, ctx) -> row(rs))
                  .useStream(
                      rows ->
                          rows.takeWhile(r -> result.isEmpty())
                              .forEach(
                                  r -> {
                                    if (r.seq() != expected[0]) {
                                      result.add(
                                          new Verification(
                                              false,
                                              expected[0] - 1,
                                              expected[0],
                                              r.seq() > expected[0]
                                                  ? "row "
                                                      + expected[0]
                                                      + " is missing (sequence jumps from "
                                                      + (expected[0] - 1)
                                                      + " to "
                                                      + r.seq()
                                                      + ")"
                                                  : "row " + r.seq() + " appears out of order"));
                                      return;
                                    }
                                    if (!r.prevHash().equals(prev[0])) {
                                      result.add(
                                          new Verification(
                                              false,
                                              expected[0] - 1,
                                              r.seq(),
                                              "row "
                                                  + r.seq()
                                                  + " does not follow row "
                                                  + (r.seq() - 1)
                                                  + " (previous-hash mismatch: reordered or replaced)"));
                                      return;
                                    }
                                    if (!AuditChain.hash(r).equals(r.hash())) {
                                      result.add(
                                          new Verification(
                                              false,
                                              expected[0] - 1,
                                              r.seq(),
                                              "row "
                                                  + r.seq()
                                                  + " was edited (its content does not match its hash)"));
                                      return;
                                    }
                                    prev[0] = r.hash();
                                    expected[0]++;
                                  }));
              if (!result.isEmpty()) {
                return result.get(0);
              }
              long checked = expected[0] - 1;
              if (checked != headSeq || (headSeq > 0 && !prev[0].equals(headHash))) {
                return new Verification(
                    false,
                    checked,
                    checked + 1,
                    "the chain ends at row "
                        + checked
                        + " but the tenant's head says row "
                        + headSeq
                        + " (newest rows deleted or replaced)");
              }
              return new Verification(true, checked, null, null);
            });
  }

  private static AuditRecord row(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new AuditRecord(
        rs.getString("tenant_id"),
        rs.getLong("seq"),
        rs.getLong("at"),
        rs.getString("actor"),
        rs.getString("action"),
        rs.getString("target_type"),
        rs.getString("target_id"),
        rs.getString("outcome"),
        rs.getString("session_id"),
        rs.getString("workroom_id"),
        rs.getString("skill"),
        fromJson(rs.getString("detail")),
        rs.getString("prev_hash"),
        rs.getString("hash"));
  }

  private static String toJson(Map<String, String> detail) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(detail));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("audit detail is not serialisable", e);
    }
  }

  private static Map<String, String> fromJson(String json) {
    try {
      return JSON.readValue(json, DETAIL);
    } catch (JsonProcessingException e) {
      return Map.of("unreadable-detail", "true");
    }
  }
}
