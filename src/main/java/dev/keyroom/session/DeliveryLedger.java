package dev.keyroom.session;

import dev.keyroom.api.PageParams;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.store.Database;
import dev.keyroom.store.Identifiers;
import dev.keyroom.store.Keyset;
import dev.keyroom.store.Page;
import dev.keyroom.store.Rows;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The delivery ledger: which credential version went into which session, who fetched it and when,
 * and when the session's copy was wiped (the session ended). Revocation asks it which live sessions
 * hold a copy.
 */
public final class DeliveryLedger {
  /** Oldest first; deliveries of one retrieval share a time, so the id breaks the tie. */
  private static final Keyset OLDEST_FIRST = Keyset.ascending("fetched_at", "id");

  /** The most deliveries one page may hold. */
  public static final int MAX_PAGE = 1000;

  private final Database db;

  public DeliveryLedger(Database db) {
    this.db = db;
  }

  /**
   * One delivery of one credential version into a session: its value, or ({@code form}
   * "placeholder") a placeholder standing for a proxied key.
   */
  public record Delivery(
      String id,
      String sessionId,
      String credentialId,
      int version,
      List<String> variables,
      String fetchedBy,
      long fetchedAt,
      Long wipedAt,
      String form) {}

  void record(
      Handle h,
      TenantId tenant,
      SessionId session,
      CredentialId credential,
      int version,
      List<String> variables,
      String fetchedBy,
      long now) {
    h.createUpdate(
            "INSERT INTO session_deliveries (id, tenant_id, session_id, credential_id, version, variables, fetched_by,"
                + " fetched_at) VALUES (:id, :t, :s, :c, :v, :vars, :by, :now)")
        .bind("id", Identifiers.random("dlv"))
        .bind("t", tenant.value())
        .bind("s", session.value())
        .bind("c", credential.value())
        .bind("v", version)
        .bind("vars", String.join(",", variables))
        .bind("by", fetchedBy)
        .bind("now", now)
        .execute();
  }

  /** What the session received: the value itself, or a placeholder standing for a proxied key. */
  public enum Form {
    VALUE("value"),
    PLACEHOLDER("placeholder");

    final String wire;

    Form(String wire) {
      this.wire = wire;
    }
  }

  /** Records the deliveries of one retrieval, in each form, in one batch. */
  void recordAll(
      Handle h,
      TenantId tenant,
      SessionId session,
      java.util.Map<Form, java.util.Map<SessionVariable.Source, List<String>>> byForm,
      String fetchedBy,
      long now) {
    if (byForm.values().stream().allMatch(java.util.Map::isEmpty)) {
      return;
    }
    var batch =
        h.prepareBatch(
            "INSERT INTO session_deliveries (id, tenant_id, session_id, credential_id, version, variables,"
                + " fetched_by, fetched_at, delivery) VALUES (:id, :t, :s, :c, :v, :vars, :by, :now, :form)");
    byForm.forEach(
        (form, bySource) ->
            bySource.forEach(
                (src, names) ->
                    batch
                        .bind("id", Identifiers.random("dlv"))
                        .bind("t", tenant.value())
                        .bind("s", session.value())
                        .bind("c", src.credential().value())
                        .bind("v", src.version())
                        .bind("vars", String.join(",", names))
                        .bind("by", fetchedBy)
                        .bind("now", now)
                        .bind("form", form.wire)
                        .add()));
    batch.execute();
  }

  /** Marks every copy the session holds as wiped; returns how many deliveries that covered. */
  int wipe(Handle h, TenantId tenant, SessionId session, long now) {
    return h.createUpdate(
            "UPDATE session_deliveries SET wiped_at = :now WHERE tenant_id = :t AND session_id = :s AND wiped_at IS NULL")
        .bind("now", now)
        .bind("t", tenant.value())
        .bind("s", session.value())
        .execute();
  }

  /**
   * One page of the session's deliveries, oldest first: from the start, or next to a delivery
   * ({@link #after}, {@link #before}).
   */
  public Page<Delivery> page(TenantId tenant, SessionId session, Keyset.From from, int size) {
    if (size < 1 || size > MAX_PAGE) {
      throw new IllegalArgumentException("a page of deliveries holds 1 to " + MAX_PAGE + " rows");
    }
    return db.jdbi()
        .withHandle(
            h ->
                OLDEST_FIRST.page(
                    h,
                    "*",
                    "FROM session_deliveries WHERE tenant_id = :t AND session_id = :s",
                    q -> q.bind("t", tenant.value()).bind("s", session.value()),
                    from,
                    size,
                    (rs, ctx) -> delivery(rs)));
  }

  /** Where the page after {@code d} starts. */
  public static Keyset.From after(Delivery d) {
    return Keyset.From.after(d.fetchedAt(), d.id());
  }

  /** Where the page before {@code d} starts. */
  public static Keyset.From before(Delivery d) {
    return Keyset.From.before(d.fetchedAt(), d.id());
  }

  /**
   * Where the page asked for starts: {@code after=dlv_…} the deliveries after that one (the next
   * page), {@code before=dlv_…} those before it; a cursor that is not a delivery of this session is
   * refused naming the parameter.
   */
  public Keyset.From start(TenantId tenant, SessionId session, PageParams paging) {
    if (paging.after() != null) {
      return after(cursor(tenant, session, "after", paging.after()));
    }
    if (paging.before() != null) {
      return before(cursor(tenant, session, "before", paging.before()));
    }
    return Keyset.From.start();
  }

  private Delivery cursor(TenantId tenant, SessionId session, String parameter, String raw) {
    if (!Identifiers.hasShape(raw, "dlv")) {
      throw new InvalidInputException(
          parameter, "must be the id of a delivery (dlv_…), as the previous page gave it");
    }
    return find(tenant, session, raw)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    parameter,
                    "names no delivery of this session; start again from the first page"));
  }

  /** The delivery of this session with this id, to page next to it; empty when there is none. */
  public Optional<Delivery> find(TenantId tenant, SessionId session, String deliveryId) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT * FROM session_deliveries WHERE tenant_id = :t AND session_id = :s"
                            + " AND id = :id")
                    .bind("t", tenant.value())
                    .bind("s", session.value())
                    .bind("id", deliveryId)
                    .map((rs, ctx) -> delivery(rs))
                    .findOne());
  }

  private static Delivery delivery(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Delivery(
        rs.getString("id"),
        rs.getString("session_id"),
        rs.getString("credential_id"),
        rs.getInt("version"),
        List.of(rs.getString("variables").split(",")),
        rs.getString("fetched_by"),
        rs.getLong("fetched_at"),
        Rows.nullableLong(rs, "wiped_at"),
        rs.getString("delivery"));
  }

  /**
   * Sessions holding an unwiped copy (or placeholder) of the credential: of versions below {@code
   * belowVersion} when it is not null (rotation), of exactly {@code version} when that is not null,
   * else of any.
   */
  public List<SessionId> holders(
      TenantId tenant, CredentialId credential, Integer version, Integer belowVersion) {
    return holders(tenant, credential, version, belowVersion, null);
  }

  /** {@link #holders} of deliveries in one {@code form} only (null: either). */
  public List<SessionId> holders(
      TenantId tenant, CredentialId credential, Integer version, Integer belowVersion, Form form) {
    String which =
        (version != null ? " AND version = :v" : belowVersion != null ? " AND version < :v" : "")
            + (form != null ? " AND delivery = :form" : "");
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT DISTINCT session_id FROM session_deliveries WHERE tenant_id = :t"
                            + " AND credential_id = :c AND wiped_at IS NULL"
                            + which)
                    .bind("t", tenant.value())
                    .bind("c", credential.value())
                    .bind("v", version != null ? version : belowVersion != null ? belowVersion : 0)
                    .bind("form", form == null ? null : form.wire)
                    .mapTo(String.class)
                    .map(SessionId::new)
                    .list());
  }
}
