package dev.keyroom.web;

import dev.keyroom.session.SessionPolicy;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.Workrooms;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import java.time.Clock;
import java.util.List;

/**
 * What revoking a credential does to live sessions, before (the confirmation) and after (the
 * result). Sessions holding an injected copy (the delivery ledger says which) are ended or asked to
 * restart by the tenant's policy; sessions using a proxied key keep running but the proxy refuses
 * their next call with it.
 */
public final class SessionEnder {
  /** The confirmation's forecast. */
  public record Impact(int holders, boolean restart, boolean proxied, List<String> workrooms) {}

  /**
   * The result: how many live sessions were reached, and whether they were ended or asked to
   * restart.
   */
  public record Outcome(int reached, String action) {}

  private final Vault vault;
  private final Workrooms workrooms;
  private final Sessions sessions;
  private final SessionPolicy policy;
  private final Clock clock;

  SessionEnder(
      Vault vault, Workrooms workrooms, Sessions sessions, SessionPolicy policy, Clock clock) {
    this.vault = vault;
    this.workrooms = workrooms;
    this.sessions = sessions;
    this.policy = policy;
    this.clock = clock;
  }

  Impact preview(WebUser user, CredentialId id, boolean proxied) {
    long now = clock.millis();
    int holders =
        (int)
            sessions.ledger().holders(user.tenant(), id, null, null).stream()
                .map(s -> sessions.get(user.tenant(), s))
                .filter(s -> s.isLive(now))
                .count();
    List<Workroom> usedIn =
        workrooms.list(user.tenant()).stream().filter(w -> uses(w, id)).toList();
    return new Impact(
        holders,
        policy.onRevoke(user.tenant()) == SessionPolicy.OnRevoke.RESTART,
        proxied,
        usedIn.stream().map(Workroom::name).toList());
  }

  Outcome revoke(WebUser user, CredentialScope scope, CredentialId id) {
    return outcome(vault.revokeReported(scope, id, null, user.auditName()));
  }

  /** What the session package reported reaching after a revoke, replace or delete. */
  static Outcome outcome(Vault.Changed changed) {
    return new Outcome(changed.affected().count(), changed.affected().action().wire);
  }

  static boolean uses(Workroom w, CredentialId id) {
    return w.tools().stream().anyMatch(t -> id.equals(t.credential()))
        || id.equals(w.network().tailscale())
        || w.network().endpoints().stream().anyMatch(e -> id.equals(e.password()));
  }
}
