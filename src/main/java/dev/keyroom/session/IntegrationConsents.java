package dev.keyroom.session;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.AffectedSessions;
import java.time.Clock;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * A user's standing consent that sessions the platform starts for them in one workroom may use
 * their own integrations (git token, personal environment values, OAuth logins). Without it a
 * platform-started session gets none of them; a session the user started themselves always does.
 * Only the user grants or withdraws it; withdrawing ends the live platform-started sessions that
 * could hold their integrations, in the same transaction.
 */
public final class IntegrationConsents {
  private final Database db;
  private final Workrooms workrooms;
  private final Sessions sessions;
  private final AuditLog audit;
  private final Clock clock;

  public IntegrationConsents(
      Database db, Workrooms workrooms, Sessions sessions, AuditLog audit, Clock clock) {
    this.db = db;
    this.workrooms = workrooms;
    this.sessions = sessions;
    this.audit = audit;
    this.clock = clock;
  }

  /** One consent as the user sees it. */
  public record Consent(WorkroomId workroomId, String workroomName, long grantedAt) {}

  /** Whether the session may receive its user's own integrations. */
  public boolean allows(SessionInfo s) {
    return s.startedBy() == StartedBy.SELF
        || db.jdbi().withHandle(h -> granted(h, s.tenant(), s.user(), s.workroom()));
  }

  public List<Consent> list(TenantId tenant, UserId user) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT c.workroom_id, w.name, c.granted_at FROM integration_consents c"
                            + " JOIN workrooms w ON w.id = c.workroom_id WHERE c.tenant_id = :t AND c.user_id = :u ORDER BY w.name")
                    .bind("t", tenant.value())
                    .bind("u", user.value())
                    .map(
                        (rs, ctx) ->
                            new Consent(
                                new WorkroomId(rs.getString(1)), rs.getString(2), rs.getLong(3)))
                    .list());
  }

  /** Grants consent for {@code workroom}; idempotent. */
  public Consent grant(TenantId tenant, UserId user, WorkroomId workroom, String actor) {
    long now = clock.millis();
    return db.jdbi()
        .inTransaction(
            h -> {
              // A consent is for a workroom the user works in; any other is 404, as it is to them
              // everywhere.
              Workroom w =
                  workrooms
                      .find(h, tenant, workroom)
                      .filter(x -> workrooms.members().isMember(h, tenant, workroom, user))
                      .orElseThrow(() -> new NotFoundException("no workroom with that id"));
              if (!granted(h, tenant, user, workroom)) {
                h.createUpdate(
                        "INSERT INTO integration_consents (tenant_id, user_id, workroom_id, granted_at) VALUES (:t, :u, :w, :now)")
                    .bind("t", tenant.value())
                    .bind("u", user.value())
                    .bind("w", workroom.value())
                    .bind("now", now)
                    .execute();
                audit.append(
                    h,
                    tenant,
                    AuditEvent.of(actor, "integration.consent.grant")
                        .target("workroom", workroom.value())
                        .with("user", user.value()));
              }
              return h.createQuery(
                      "SELECT granted_at FROM integration_consents WHERE tenant_id = :t AND user_id = :u AND workroom_id = :w")
                  .bind("t", tenant.value())
                  .bind("u", user.value())
                  .bind("w", workroom.value())
                  .mapTo(Long.class)
                  .findOne()
                  .map(at -> new Consent(workroom, w.name(), at))
                  .orElseThrow();
            });
  }

  /**
   * Withdraws consent for {@code workroom} and ends the user's live platform-started sessions
   * there, which may hold their integrations. 404 when there was no consent.
   */
  public AffectedSessions withdraw(
      TenantId tenant, UserId user, WorkroomId workroom, String actor) {
    List<SessionInfo> ended =
        db.jdbi()
            .inTransaction(
                h -> {
                  int n =
                      h.createUpdate(
                              "DELETE FROM integration_consents WHERE tenant_id = :t AND user_id = :u AND workroom_id = :w")
                          .bind("t", tenant.value())
                          .bind("u", user.value())
                          .bind("w", workroom.value())
                          .execute();
                  if (n == 0) {
                    throw new NotFoundException("no consent for that workroom");
                  }
                  List<SessionInfo> out =
                      sessions.endAll(
                          h,
                          tenant,
                          workroom,
                          user,
                          StartedBy.PLATFORM,
                          "integration consent withdrawn",
                          actor);
                  audit.append(
                      h,
                      tenant,
                      AuditEvent.of(actor, "integration.consent.withdraw")
                          .target("workroom", workroom.value())
                          .with("user", user.value())
                          .with("sessionsEnded", out.size()));
                  return out;
                });
    return new AffectedSessions(
        AffectedSessions.Action.ENDED, ended.stream().map(s -> s.id().value()).toList());
  }

  /**
   * Drops consents for {@code workroom} inside the caller's transaction: of {@code user}, or of
   * everyone when null (they left the workroom, or it is being deleted).
   */
  public void forget(Handle h, TenantId tenant, WorkroomId workroom, UserId user) {
    h.createUpdate(
            "DELETE FROM integration_consents WHERE tenant_id = :t AND workroom_id = :w"
                + (user == null ? "" : " AND user_id = :u"))
        .bind("t", tenant.value())
        .bind("w", workroom.value())
        .bind("u", user == null ? null : user.value())
        .execute();
  }

  private static boolean granted(Handle h, TenantId tenant, UserId user, WorkroomId workroom) {
    return h.createQuery(
                "SELECT COUNT(*) FROM integration_consents WHERE tenant_id = :t AND user_id = :u AND workroom_id = :w")
            .bind("t", tenant.value())
            .bind("u", user.value())
            .bind("w", workroom.value())
            .mapTo(Integer.class)
            .one()
        > 0;
  }
}
