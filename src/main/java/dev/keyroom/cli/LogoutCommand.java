package dev.keyroom.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyroom logout}: forgets the profile's stored token (the URL stays). The token itself
 * stays valid on the server until it is revoked there.
 */
@Command(
    name = "logout",
    mixinStandardHelpOptions = true,
    description = {
      "Remove the stored API token of a profile from the configuration file (the URL stays).",
      "The token stays valid on the server until revoked there. Exit codes: 0; 1 no such profile."
    })
final class LogoutCommand implements Callable<Integer> {
  @Option(
      names = "--profile",
      description = "profile to log out of (default: KEYROOM_PROFILE, else the default profile)")
  String profile;

  @Option(names = "--json", description = "print the outcome as JSON")
  boolean json;

  /** What logout did. */
  record Outcome(String profile, boolean removed) {}

  @Override
  public Integer call() throws Exception {
    Profiles profiles = Profiles.load();
    String name = profiles.chosen(profile);
    profiles.require(name);
    boolean removed = profiles.removeToken(name);
    if (removed) {
      profiles.save();
    }
    if (json) {
      System.out.println(
          dev.keyroom.api.Json.MAPPER.writeValueAsString(new Outcome(name, removed)));
    } else {
      System.out.println(
          removed
              ? "logged out (profile " + name + "); token removed from " + profiles.file()
              : "not logged in (profile " + name + "); nothing to remove");
    }
    String env = System.getenv("KEYROOM_TOKEN");
    if (env != null && !env.isBlank()) {
      System.err.println(
          "keyroom: note: KEYROOM_TOKEN is still set in this environment and is used before any profile");
    }
    return 0;
  }
}
