package dev.keyroom.session;

import java.util.List;
import java.util.Set;

/**
 * Adds variables to a session's environment from another feature (for example OAuth integrations: a
 * fresh access token of the session's user). Registered with {@link EnvironmentContributors};
 * Keyroom wires the implementations.
 *
 * <p>Rules a contributor must keep: deliver only the session user's own integrations (or tenant
 * secrets the workroom enables); name every credential version in {@link SessionVariable#source()}
 * so the delivery ledger records it and revocation can reach the session; never log values.
 */
public interface EnvironmentContributor {

  /**
   * Names this contributor may set in sessions of {@code workroom}. Checked when a workroom is
   * configured, so a clash is a 409 then rather than a silent overwrite at session start.
   */
  default Set<String> variableNames(Workroom workroom) {
    return Set.of();
  }

  /** The variables for one session. Called on every environment retrieval. */
  List<SessionVariable> contribute(SessionInfo session, Workroom workroom);
}
