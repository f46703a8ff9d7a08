package dev.keyroom.tenancy;

import org.jdbi.v3.core.Handle;

/**
 * Something that must end when a user's access ends (live sessions, web sign-ins). It runs inside
 * the transaction that disables the user, so nothing outlives the change; what it returns runs
 * after the transaction commits (telling event streams, proxy caches and open exchanges).
 */
@FunctionalInterface
public interface AccessEnd {
  /** Ends what {@code user} still holds; returns what to announce after commit (never null). */
  Runnable endFor(Handle h, TenantId tenant, UserId user, String reason, String actor);
}
