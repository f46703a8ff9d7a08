package dev.keyroom.vault;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a change reached: the live sessions holding a copy (or a placeholder) of a credential, and
 * whether they were ended or asked to restart. Given back to whoever made the change.
 *
 * @param sessionIds ids of the sessions reached, in the order they were reached
 */
public record AffectedSessions(Action action, List<String> sessionIds) {
  public static final AffectedSessions NONE = new AffectedSessions(Action.ENDED, List.of());

  /** What happened to the sessions reached. */
  public enum Action {
    ENDED("ended"),
    RESTART_REQUESTED("restart-requested");

    public final String wire;

    Action(String wire) {
      this.wire = wire;
    }
  }

  public AffectedSessions {
    sessionIds = List.copyOf(sessionIds);
  }

  public int count() {
    return sessionIds.size();
  }

  /** Both reports together (several reactions may reach sessions). */
  public AffectedSessions plus(AffectedSessions other) {
    if (this == NONE || (sessionIds.isEmpty() && !other.sessionIds.isEmpty())) {
      return other;
    }
    if (other.sessionIds.isEmpty()) {
      return this;
    }
    List<String> ids = new ArrayList<>(sessionIds);
    other.sessionIds.stream().filter(id -> !ids.contains(id)).forEach(ids::add);
    return new AffectedSessions(
        action == Action.ENDED && other.action == Action.ENDED
            ? Action.ENDED
            : Action.RESTART_REQUESTED,
        ids);
  }

  /** The wire form: {@code {"count": n, "action": "ended", "sessions": [...]}}. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", count());
    m.put("action", action.wire);
    m.put("sessions", sessionIds);
    return m;
  }
}
