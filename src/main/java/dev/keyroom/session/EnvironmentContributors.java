package dev.keyroom.session;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** The registered {@link EnvironmentContributor}s, shared by workroom checks and environments. */
public final class EnvironmentContributors {
  private final List<EnvironmentContributor> contributors = new CopyOnWriteArrayList<>();

  public void register(EnvironmentContributor contributor) {
    contributors.add(contributor);
  }

  public List<EnvironmentContributor> all() {
    return List.copyOf(contributors);
  }

  Set<String> variableNames(Workroom workroom) {
    Set<String> out = new HashSet<>();
    for (EnvironmentContributor c : contributors) {
      out.addAll(c.variableNames(workroom));
    }
    return out;
  }
}
