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
    String hash) {}
