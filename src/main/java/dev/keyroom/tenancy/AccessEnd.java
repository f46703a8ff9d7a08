package dev.keyroom.tenancy;

import org.jdbi.v3.core.Handle;

/**
 * Something that must end when a user's access ends (live sessions, web sign-ins). It runs inside
 * the transaction that disables the user, so nothing outlives the change; what must hear of it
 * afterwards (event streams, proxy caches, open exchanges) is told through {@link
 * Handle#afterCommit}.
 */
@FunctionalInterface
public interface AccessEnd {
  /** Ends what {@code user} still holds, inside {@code h}'s transaction. */
  void endFor(Handle h, TenantId tenant, UserId user, String reason, String actor);
}
