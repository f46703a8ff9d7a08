package dev.keyroom.session;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.vault.AffectedSessions;
import dev.keyroom.vault.CredentialChange;
import dev.keyroom.vault.Vault;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocation reaching live sessions: when a credential is revoked, replaced or deleted, every live
 * session holding a copy or a placeholder for it (the delivery ledger says which) is told, and by
 * the tenant's policy ended (default) or asked to restart. Replacing a proxied key reaches no
 * session: sessions hold only its placeholder, which now stands for the new value. Runs
 * synchronously after the change commits, so the revoker's response says how many sessions were
 * affected and which.
 */
public final class SessionRevocation implements Function<CredentialChange, AffectedSessions> {
  private static final Logger LOG = LoggerFactory.getLogger(SessionRevocation.class);

  private final Sessions sessions;
  private final SessionEvents events;
  private final SessionPolicy policy;
  private final Vault vault;
  private final AuditLog audit;

  public SessionRevocation(
      Sessions sessions, SessionEvents events, SessionPolicy policy, Vault vault, AuditLog audit) {
    this.sessions = sessions;
    this.events = events;
    this.policy = policy;
    this.vault = vault;
    this.audit = audit;
  }

  @Override
  public AffectedSessions apply(CredentialChange change) {
    List<SessionId> holders = holders(change);
    SessionPolicy.OnRevoke onRevoke = policy.onRevoke(change.tenant());
    String event =
        change.type() == CredentialChange.Type.REPLACED
            ? SessionEvents.ROTATED
            : SessionEvents.REVOKED;
    String reason =
        switch (change.type()) {
          case REVOKED -> "credential revoked";
          case REPLACED -> "credential rotated";
          case DELETED -> "credential deleted";
        };
    List<String> reached = new ArrayList<>();
    for (SessionId id : holders) {
      SessionInfo s;
      try {
        s = sessions.get(change.tenant(), id);
      } catch (KeyroomException e) {
        continue;
      }
      if (s.endedAt() != null) {
        continue;
      }
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("sessionId", id.value());
      data.put("credentialId", change.credential().value());
      data.put("kind", change.kind());
      data.put("version", change.version());
      data.put("change", change.type().name().toLowerCase(java.util.Locale.ROOT));
      data.put("action", onRevoke.wire);
      events.publish(id, new SessionEvents.Event(event, data));
      if (onRevoke == SessionPolicy.OnRevoke.END) {
        sessions.end(change.tenant(), id, reason, change.actor());
      }
      reached.add(id.value());
    }
    if (!reached.isEmpty()) {
      audit.record(
          change.tenant(),
          AuditEvent.of(change.actor(), "session.revocation")
              .target("credential", change.credential().value())
              .with("change", change.type().name().toLowerCase(java.util.Locale.ROOT))
              .with("version", change.version())
              .with("policy", onRevoke.wire)
              .with("sessions", String.join(",", reached))
              .with("count", reached.size()));
      LOG.info(
          "{} of credential {} reached {} live session(s) (policy {})",
          change.type(),
          change.credential(),
          reached.size(),
          onRevoke.wire);
    }
    return new AffectedSessions(
        onRevoke == SessionPolicy.OnRevoke.END
            ? AffectedSessions.Action.ENDED
            : AffectedSessions.Action.RESTART_REQUESTED,
        reached);
  }

  private List<SessionId> holders(CredentialChange change) {
    DeliveryLedger ledger = sessions.ledger();
    return switch (change.type()) {
      case DELETED -> ledger.holders(change.tenant(), change.credential(), null, null);
      case REPLACED ->
          ledger.holders(
              change.tenant(),
              change.credential(),
              null,
              change.version(),
              DeliveryLedger.Form.VALUE);
      case REVOKED -> {
        if (wholeCredentialRevoked(change)) {
          yield ledger.holders(change.tenant(), change.credential(), null, null);
        }
        List<SessionId> ids =
            new ArrayList<>(
                ledger.holders(
                    change.tenant(),
                    change.credential(),
                    change.version(),
                    null,
                    DeliveryLedger.Form.VALUE));
        if (currentVersionRevoked(change)) { // placeholders stand for whatever version is current
          ledger
              .holders(
                  change.tenant(), change.credential(), null, null, DeliveryLedger.Form.PLACEHOLDER)
              .stream()
              .filter(id -> !ids.contains(id))
              .forEach(ids::add);
        }
        yield ids;
      }
    };
  }

  private boolean currentVersionRevoked(CredentialChange change) {
    try {
      return vault.get(change.scope(), change.credential()).version() == change.version();
    } catch (KeyroomException e) {
      return true;
    }
  }

  private boolean wholeCredentialRevoked(CredentialChange change) {
    try {
      return !vault.get(change.scope(), change.credential()).isActive();
    } catch (KeyroomException e) {
      return true;
    }
  }
}
