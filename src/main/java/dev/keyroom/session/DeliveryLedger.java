package dev.keyroom.session;

import dev.keyroom.store.Database;
import dev.keyroom.store.Identifiers;
import dev.keyroom.store.Rows;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The delivery ledger: which credential version went into which session, who fetched it and when,
 * and when the session's copy was wiped (the session ended). Revocation asks it which live
 * sessions hold a copy.
 */
public final class DeliveryLedger {
  private final Database db;

  public DeliveryLedger(Database db) {
    this.db = db;
  }

  /**
   * One delivery of one credential version into a session: its value, or ({@code form}
   * "placeholder") a placeholder standing for a proxied key.
   */
  public record Delivery(String id, String sessionId, String credentialId, int version, List<String> variables,
      String fetchedBy, long fetchedAt, Long wipedAt, String form) {}

  void record(Handle h, TenantId tenant, SessionId session, CredentialId credential, int version, List<String> variables,
      String fetchedBy, long now) {
    h.createUpdate("INSERT INTO session_deliveries (id, tenant_id, session_id, credential_id, version, variables, fetched_by,"
            + " fetched_at) VALUES (:id, :t, :s, :c, :v, :vars, :by, :now)")
        .bind("id", Identifiers.random("dlv")).bind("t", tenant.value()).bind("s", session.value())
        .bind("c", credential.value()).bind("v", version).bind("vars", String.join(",", variables))
        .bind("by", fetchedBy).bind("now", now).execute();
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

  /** Records several deliveries of one retrieval in one batch. */
  void recordAll(Handle h, TenantId tenant, SessionId session, java.util.Map<SessionVariable.Source, List<String>> bySource,
      Form form, String fetchedBy, long now) {
    if (bySource.isEmpty()) {
      return;
    }
    var batch = h.prepareBatch("INSERT INTO session_deliveries (id, tenant_id, session_id, credential_id, version, variables,"
        + " fetched_by, fetched_at, delivery) VALUES (:id, :t, :s, :c, :v, :vars, :by, :now, :form)");
    bySource.forEach((src, names) -> batch.bind("id", Identifiers.random("dlv")).bind("t", tenant.value())
        .bind("s", session.value()).bind("c", src.credential().value()).bind("v", src.version())
        .bind("vars", String.join(",", names)).bind("by", fetchedBy).bind("now", now).bind("form", form.wire).add());
    batch.execute();
  }

  /** Marks every copy the session holds as wiped; returns how many deliveries that covered. */
  int wipe(Handle h, TenantId tenant, SessionId session, long now) {
    return h.createUpdate("UPDATE session_deliveries SET wiped_at = :now WHERE tenant_id = :t AND session_id = :s AND wiped_at IS NULL")
        .bind("now", now).bind("t", tenant.value()).bind("s", session.value()).execute();
  }

  public List<Delivery> ofSession(TenantId tenant, SessionId session) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM session_deliveries WHERE tenant_id = :t AND session_id = :s"
            + " ORDER BY fetched_at, id")
        .bind("t", tenant.value()).bind("s", session.value())
        .map((rs, ctx) -> new Delivery(rs.getString("id"), rs.getString("session_id"), rs.getString("credential_id"),
            rs.getInt("version"), List.of(rs.getString("variables").split(",")), rs.getString("fetched_by"),
            rs.getLong("fetched_at"), Rows.nullableLong(rs, "wiped_at"), rs.getString("delivery")))
        .list());
  }

  /**
   * Sessions holding an unwiped copy (or placeholder) of the credential: of versions below
   * {@code belowVersion} when it is not null (rotation), of exactly {@code version} when that is
   * not null, else of any.
   */
  public List<SessionId> holders(TenantId tenant, CredentialId credential, Integer version, Integer belowVersion) {
    return holders(tenant, credential, version, belowVersion, null);
  }

  /** {@link #holders} of deliveries in one {@code form} only (null: either). */
  public List<SessionId> holders(TenantId tenant, CredentialId credential, Integer version, Integer belowVersion,
      Form form) {
    String which = (version != null ? " AND version = :v" : belowVersion != null ? " AND version < :v" : "")
        + (form != null ? " AND delivery = :form" : "");
    return db.jdbi().withHandle(h -> h.createQuery("SELECT DISTINCT session_id FROM session_deliveries WHERE tenant_id = :t"
            + " AND credential_id = :c AND wiped_at IS NULL" + which)
        .bind("t", tenant.value()).bind("c", credential.value())
        .bind("v", version != null ? version : belowVersion != null ? belowVersion : 0)
        .bind("form", form == null ? null : form.wire)
        .mapTo(String.class).map(SessionId::new).list());
  }
}
