package dev.keyroom.usage;

import dev.keyroom.tenancy.TenantId;

/**
 * One proxied request: who made it (tenant, workroom, session, user, skill), with which key
 * (credential id and version — never its value), what came back and what it consumed.
 *
 * @param outcome {@code ok}, {@code upstream_error} (4xx/5xx from the provider), {@code failed}
 *     (unreachable, timed out) or {@code client_aborted}
 */
public record UsageRecord(
    TenantId tenant,
    long at,
    String workroomId,
    String sessionId,
    String userId,
    String skill,
    String provider,
    String credentialId,
    int credentialVersion,
    String method,
    String path,
    int status,
    String outcome,
    long requestBytes,
    long responseBytes,
    long latencyMs,
    UsageUnits units) {}
