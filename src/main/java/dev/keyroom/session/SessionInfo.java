package dev.keyroom.session;

import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;

/**
 * A session: one user's time in a workroom. {@code endedAt} is null while it lives; {@code
 * userActive} is the session user's status when the row was read (a disabled user's sessions are
 * refused even before their end is recorded).
 */
public record SessionInfo(
    SessionId id,
    TenantId tenant,
    WorkroomId workroom,
    UserId user,
    long startedAt,
    long expiresAt,
    long idleTimeoutMs,
    long lastSeenAt,
    Long endedAt,
    String endReason,
    StartedBy startedBy,
    boolean userActive) {

  /** Live: not ended, not past its lifetime, not idle too long, and its user active. */
  public boolean isLive(long now) {
    return endedAt == null && userActive && now < expiresAt && now - lastSeenAt < idleTimeoutMs;
  }
}
