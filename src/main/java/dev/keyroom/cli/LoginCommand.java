package dev.keyroom.cli;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyroom login [URL]}: reads an API token from stdin (piped) or a prompt that does not
 * echo, checks it against {@code GET /api/v1/me}, and only then saves URL and token in the profile
 * ({@link Profiles}). The token is never taken from the command line and never printed.
 */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = {
      "Log in to a Keyroom server: saves its URL and your API token in a profile.",
      "The token (kr_u_…) is read from stdin or a prompt that does not echo, never from the command line; it is",
      "verified with the server (GET /api/v1/me) before it is saved in the configuration file (0600).",
      "Exit codes: 0 logged in; 1 the server refused the token (nothing saved); 2 usage; 5 server unreachable."
    })
final class LoginCommand implements Callable<Integer> {
  private static final int MAX_TOKEN = 4096;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "URL",
      description =
          "Keyroom's URL (default: KEYROOM_URL, the profile's URL, else http://127.0.0.1:$KEYROOM_PORT)")
  String url;

  @Option(
      names = "--profile",
      description = "save as this profile (default: KEYROOM_PROFILE, else the default profile)")
  String profile;

  @Option(
      names = "--default",
      description = "make this profile the default (the first profile saved always is)")
  boolean makeDefault;

  @Option(names = "--json", description = "print who you are as JSON")
  boolean json;

  @Override
  public Integer call() throws IOException {
    Profiles profiles = Profiles.load();
    String name = profiles.chosen(profile);
    String target = url != null ? Server.normalise(url, "URL") : Server.url(null, name);
    String token = readToken(target);
    Identity who;
    try {
      who = Identity.of(new ApiClient(new Server.Target(target, token, name)), name);
    } catch (ApiClient.Refused r) {
      throw new Failures.CliException(
          Main.FAILED,
          "Keyroom at " + target + " refused the token: " + r.getMessage() + "; nothing saved");
    }
    profiles.put(name, target, token, makeDefault);
    profiles.save();
    who.print(System.out, json, "logged in as ");
    if (!json) {
      System.out.println("saved in " + profiles.file());
      if (target.startsWith("http://") && !loopback(target)) {
        System.err.println(
            "keyroom: warning: "
                + target
                + " is plain http to another machine; the token travels unencrypted");
      }
    }
    return 0;
  }

  /** The token from a no-echo prompt when a terminal is attached, else from stdin. */
  private static String readToken(String target) throws IOException {
    Console console = System.console();
    String token;
    if (console != null) {
      char[] typed = console.readPassword("API token for %s (input hidden): ", target);
      token = typed == null ? "" : new String(typed);
      if (typed != null) {
        Arrays.fill(typed, '\0');
      }
    } else {
      byte[] raw;
      try (InputStream in = System.in) {
        raw = in.readNBytes(MAX_TOKEN + 1);
      }
      if (raw.length > MAX_TOKEN) {
        throw new Failures.CliException(
            Main.USAGE, "token: must be at most " + MAX_TOKEN + " bytes");
      }
      token = new String(raw, StandardCharsets.UTF_8);
    }
    token = token.strip();
    if (token.isEmpty()) {
      throw new Failures.CliException(
          Main.USAGE,
          "no token given: pipe the API token on stdin or type it at the prompt (never on the command line)");
    }
    if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new Failures.CliException(
          Main.USAGE, "token: must be one line of printable characters without spaces");
    }
    return token;
  }

  private static boolean loopback(String u) {
    String host = java.net.URI.create(u).getHost();
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
  }
}
