package dev.keyroom.web;

import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.Workrooms;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import java.util.List;

/**
 * Revokes a credential and counts the live sessions that ended because of it: the sessions of
 * the workrooms that use it, live before the revocation and no longer live after it (the
 * session package ends them when the vault announces the revocation).
 */
final class SessionEnder {
  private final Vault vault;
  private final Workrooms workrooms;
  private final Sessions sessions;

  SessionEnder(Vault vault, Workrooms workrooms, Sessions sessions) {
    this.vault = vault;
    this.workrooms = workrooms;
    this.sessions = sessions;
  }

  int revokeAndCount(WebUser user, CredentialScope scope, CredentialId id) {
    List<Workroom> usedIn = workrooms.list(user.tenant()).stream().filter(w -> w.tools().stream()
        .anyMatch(t -> t.credential() != null && t.credential().equals(id))).toList();
    long before = usedIn.stream().mapToLong(w -> sessions.live(user.tenant(), w.id()).size()).sum();
    vault.revoke(scope, id, null, user.auditName());
    long after = usedIn.stream().mapToLong(w -> sessions.live(user.tenant(), w.id()).size()).sum();
    return (int) Math.max(0, before - after);
  }
}
