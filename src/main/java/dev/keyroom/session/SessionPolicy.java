package dev.keyroom.session;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.TenantId;
import java.time.Clock;

/** A tenant's policy for live sessions holding a copy of a revoked or replaced credential. */
public final class SessionPolicy {
  /** What happens to those sessions. */
  public enum OnRevoke {
    /** End them: token and placeholders refused, launcher kills its child (the default). */
    END("end"),
    /** Keep them and tell their launchers to restart the child with a fresh environment. */
    RESTART("restart");

    public final String wire;

    OnRevoke(String wire) {
      this.wire = wire;
    }

    public static OnRevoke parse(String v, String field) {
      for (OnRevoke o : values()) {
        if (o.wire.equals(v)) {
          return o;
        }
      }
      throw new InvalidInputException(field, "must be 'end' or 'restart'");
    }
  }

  private final Database db;
  private final AuditLog audit;
  private final Clock clock;

  public SessionPolicy(Database db, AuditLog audit, Clock clock) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
  }

  public OnRevoke onRevoke(TenantId tenant) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT on_revoke FROM session_policies WHERE tenant_id = :t")
                    .bind("t", tenant.value())
                    .mapTo(String.class)
                    .findOne())
        .map(v -> OnRevoke.parse(v, "onRevoke"))
        .orElse(OnRevoke.END);
  }

  public OnRevoke set(TenantId tenant, OnRevoke value, String actor) {
    long now = clock.millis();
    db.jdbi()
        .useTransaction(
            h -> {
              int updated =
                  h.createUpdate(
                          "UPDATE session_policies SET on_revoke = :v, updated_at = :now WHERE tenant_id = :t")
                      .bind("v", value.wire)
                      .bind("now", now)
                      .bind("t", tenant.value())
                      .execute();
              if (updated == 0) {
                h.createUpdate(
                        "INSERT INTO session_policies (tenant_id, on_revoke, updated_at) VALUES (:t, :v, :now)")
                    .bind("t", tenant.value())
                    .bind("v", value.wire)
                    .bind("now", now)
                    .execute();
              }
              audit.append(
                  h,
                  tenant,
                  AuditEvent.of(actor, "session.policy")
                      .target("tenant", tenant.value())
                      .with("onRevoke", value.wire));
            });
    return value;
  }
}
