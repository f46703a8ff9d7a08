package dev.keyroom.session;

import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;

/** A session: one user's time in a workroom. {@code endedAt} is null while it lives. */
public record SessionInfo(SessionId id, TenantId tenant, WorkroomId workroom, UserId user, long startedAt,
    long expiresAt, long idleTimeoutMs, long lastSeenAt, Long endedAt, String endReason) {

  /** Live: not ended, not past its lifetime, not idle too long. */
  public boolean isLive(long now) {
    return endedAt == null && now < expiresAt && now - lastSeenAt < idleTimeoutMs;
  }
}
