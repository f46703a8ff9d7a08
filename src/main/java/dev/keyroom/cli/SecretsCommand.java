package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyroom secrets list|set|revoke|delete} against a running server. The token comes from
 * KEYROOM_TOKEN or the profile {@code keyroom login} saved; values only from stdin or a file —
 * there is no flag that takes a value.
 */
@Command(name = "secrets", mixinStandardHelpOptions = true,
    description = "Manage tenant skill secrets on a running server (as the logged-in admin, or KEYROOM_TOKEN).",
    subcommands = {SecretsCommand.ListSecrets.class, SecretsCommand.SetSecret.class, SecretsCommand.RevokeSecret.class,
        SecretsCommand.DeleteSecret.class})
final class SecretsCommand implements Runnable {
  @Override
  public void run() {
    throw new Failures.CliException(Main.USAGE, "secrets needs a subcommand: list, set, revoke or delete");
  }

  /** The commands' server and token: {@link ServerOptions} (flag, environment, profile). */
  static class Remote extends ServerOptions {}

  /**
   * What a change did to the live sessions holding the secret, from the API's
   * {@code affectedSessions {count, action, sessions}}: "2 live sessions ended: ses_…, ses_…".
   */
  static String liveSessions(JsonNode res) {
    JsonNode a = res == null ? null : res.get("affectedSessions");
    if (a == null || a.get("count") == null) {
      return "live sessions: not reported by the server";
    }
    int n = a.get("count").asInt();
    if (n == 0) {
      return "no live session held it";
    }
    java.util.List<String> ids = new java.util.ArrayList<>();
    a.path("sessions").forEach(s -> ids.add(s.asText()));
    String what = "restart-requested".equals(a.path("action").asText()) ? "asked to restart" : "ended";
    return n + " live session" + (n == 1 ? "" : "s") + " " + what + ": " + String.join(", ", ids);
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List tenant skill secrets (metadata only).")
  static final class ListSecrets extends Remote implements Callable<Integer> {
    @Override
    public Integer call() {
      JsonNode res = call("GET", "/api/v1/secrets", null);
      System.out.printf("%-32s %-20s %-24s %-4s %-8s %-8s %s%n", "ID", "KIND", "NAME", "VER", "STATUS", "HINT", "FINGERPRINT");
      for (JsonNode c : res.get("credentials")) {
        System.out.printf("%-32s %-20s %-24s %-4s %-8s %-8s %s%n", c.get("id").asText(), c.get("kind").asText(),
            c.get("name").asText(), c.get("version").asText(), c.get("status").asText(),
            c.get("hint").isNull() ? "-" : c.get("hint").asText(), c.get("fingerprint").asText());
      }
      return 0;
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true,
      description = "Create a secret, or replace the value of the one with this name. The value is read from --value-file or stdin;"
          + " typed at a terminal it is not shown.")
  static final class SetSecret extends Remote implements Callable<Integer> {
    @Option(names = "--kind", required = true, description = "catalog kind, e.g. gemini") String kind;
    @Option(names = "--name", required = true, description = "secret name") String name;
    @Option(names = "--value-file", description = "read the value from this file (default: stdin)") Path valueFile;

    @Override
    public Integer call() throws IOException {
      String value = readValue();
      String existing = null;
      for (JsonNode c : call("GET", "/api/v1/secrets", null).get("credentials")) {
        if (c.get("name").asText().equals(name) && c.get("kind").asText().equals(kind)) {
          existing = c.get("id").asText();
        }
      }
      JsonNode res;
      if (existing == null) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", kind);
        body.put("name", name);
        body.put("value", value);
        res = call("POST", "/api/v1/secrets", body);
        System.out.println("created " + res.get("id").asText() + " (version 1, fingerprint " + res.get("fingerprint").asText() + ")");
      } else {
        res = call("PUT", "/api/v1/secrets/" + existing + "/value", Map.of("value", value));
        System.out.println("replaced " + existing + " (version " + res.get("version").asText() + ", fingerprint "
            + res.get("fingerprint").asText() + ")");
        System.out.println(liveSessions(res));
      }
      return 0;
    }

    private String readValue() throws IOException {
      byte[] raw;
      if (valueFile != null) {
        raw = Files.readAllBytes(valueFile);
      } else {
        String typed = TerminalInput.readHidden("value for " + kind + " secret '" + name + "' (not shown as you type): ");
        if (typed != null) {
          raw = typed.getBytes(StandardCharsets.UTF_8);
        } else {
          try (InputStream in = System.in) {
            raw = in.readNBytes(64 * 1024 + 2);
          }
        }
      }
      String value = new String(raw, StandardCharsets.UTF_8);
      // A trailing newline from `echo` or an editor is not part of a key.
      if (value.endsWith("\r\n")) value = value.substring(0, value.length() - 2);
      else if (value.endsWith("\n")) value = value.substring(0, value.length() - 1);
      if (value.isEmpty()) {
        throw new Failures.CliException(Main.USAGE, "no value given: pipe it on stdin or use --value-file");
      }
      return value;
    }
  }

  // Not mixinStandardHelpOptions: its -V/--version would clash with the secret's --version below,
  // and picocli then dropped -h/--help as well, so `revoke --help` answered "see: … --help".
  @Command(name = "revoke", description = "Revoke a secret (or one version of it).")
  static final class RevokeSecret extends Remote implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.") boolean help;
    @Parameters(index = "0", description = "secret id") String id;
    @Option(names = "--version", description = "revoke only this version") Integer version;

    @Override
    public Integer call() {
      JsonNode res = call("POST", "/api/v1/secrets/" + id + "/revoke", version == null ? Map.of() : Map.of("version", version));
      System.out.println(id + ": status " + res.get("status").asText());
      System.out.println(liveSessions(res));
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a secret; its ciphertext is destroyed.")
  static final class DeleteSecret extends Remote implements Callable<Integer> {
    @Parameters(index = "0", description = "secret id") String id;

    @Override
    public Integer call() {
      call("DELETE", "/api/v1/secrets/" + id, null);
      System.out.println(id + ": deleted");
      return 0;
    }
  }
}
