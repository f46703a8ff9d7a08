package dev.keyroom.audit;

import java.util.Map;
import java.util.TreeMap;

/**
 * Something that happened, to be appended to a tenant's audit chain. Names credentials by id and
 * fingerprint only; there is no field a value could go into except {@code detail}, and callers put
 * ids, kinds, counts and reasons there — never values.
 */
public record AuditEvent(
    String actor,
    String action,
    String targetType,
    String targetId,
    String outcome,
    String sessionId,
    String workroomId,
    String skill,
    Map<String, String> detail) {

  public AuditEvent {
    detail = detail == null ? Map.of() : Map.copyOf(new TreeMap<>(detail));
  }

  public static AuditEvent of(String actor, String action) {
    return new AuditEvent(actor, action, null, null, "ok", null, null, null, Map.of());
  }

  public AuditEvent target(String type, String id) {
    return new AuditEvent(actor, action, type, id, outcome, sessionId, workroomId, skill, detail);
  }

  public AuditEvent denied() {
    return new AuditEvent(
        actor, action, targetType, targetId, "denied", sessionId, workroomId, skill, detail);
  }

  public AuditEvent outcome(String newOutcome) {
    return new AuditEvent(
        actor, action, targetType, targetId, newOutcome, sessionId, workroomId, skill, detail);
  }

  public AuditEvent context(String session, String workroom, String skillName) {
    return new AuditEvent(
        actor, action, targetType, targetId, outcome, session, workroom, skillName, detail);
  }

  public AuditEvent with(String key, Object value) {
    TreeMap<String, String> d = new TreeMap<>(detail);
    d.put(key, String.valueOf(value));
    return new AuditEvent(
        actor, action, targetType, targetId, outcome, sessionId, workroomId, skill, d);
  }
}
