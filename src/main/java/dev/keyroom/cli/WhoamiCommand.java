package dev.keyroom.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyroom whoami}: who the current token speaks for, asked of the server. Never prints the
 * token.
 */
@Command(
    name = "whoami",
    mixinStandardHelpOptions = true,
    description = {
      "Print who you are logged in as: user, role, tenant, server and profile (asked of the server).",
      "Exit codes: 0; 1 not logged in or the token was refused; 5 server unreachable."
    })
final class WhoamiCommand extends ServerOptions implements Callable<Integer> {
  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Override
  public Integer call() {
    Server.Target t = target();
    Identity.of(new ApiClient(t), t.profile()).print(System.out, json, "");
    return 0;
  }
}
