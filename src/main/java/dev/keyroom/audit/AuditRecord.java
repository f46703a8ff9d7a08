package dev.keyroom.audit;

import java.util.Map;

/** A stored audit row, as read back (and as the API shows it). */
public record AuditRecord(
    String tenantId,
    long seq,
    long at,
    String actor,
    String action,
    String targetType,
    String targetId,
    String outcome,
    String sessionId,
    String workroomId,
    String skill,
    Map<String, String> detail,
    String prevHash,
    String hash) {

  /** Detail keys that could let someone compare a member's values with their own guesses. */
  private static final java.util.Set<String> MEMBER_ONLY = java.util.Set.of("fingerprint", "hint");

  /**
   * This row as anyone but the credential's owner may see it: the fingerprint and hint of a user's
   * integration (rows written before fingerprints were keyed per owner still hold them) are left
   * out. The stored row, and so the hash chain, is unchanged.
   */
  public AuditRecord withoutMemberFingerprints() {
    if (action == null
        || !action.startsWith("integration.")
        || detail == null
        || detail.keySet().stream().noneMatch(MEMBER_ONLY::contains)) {
      return this;
    }
    Map<String, String> shown = new java.util.TreeMap<>(detail);
    shown.keySet().removeAll(MEMBER_ONLY);
    return new AuditRecord(
        tenantId,
        seq,
        at,
        actor,
        action,
        targetType,
        targetId,
        outcome,
        sessionId,
        workroomId,
        skill,
        java.util.Collections.unmodifiableMap(shown),
        prevHash,
        hash);
  }
}
