package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyroom secrets …}: the tenant's skill secrets (Config → Secrets) on a running server,
 * each named by {@code NAME}, {@code KIND/NAME} or id. Values only from stdin or a file — no flag
 * takes a value.
 */
@Command(
    name = "secrets",
    mixinStandardHelpOptions = true,
    description = {
      "Manage tenant skill secrets on a running server (as the logged-in admin, or KEYROOM_TOKEN).",
      "A secret is given by NAME, KIND/NAME (e.g. gemini/prod) or id; names are unique per kind, so a name that"
          + " several kinds use needs --kind or KIND/NAME."
    },
    subcommands = {
      SecretsCommand.ListSecrets.class,
      SecretsCommand.Show.class,
      SecretsCommand.SetSecret.class,
      SecretsCommand.Test.class,
      SecretsCommand.RevokeSecret.class,
      SecretsCommand.DeleteSecret.class
    })
final class SecretsCommand implements Runnable {
  @Override
  public void run() {
    throw new Failures.CliException(
        Main.USAGE, "secrets needs a subcommand: list, show, set, test, revoke or delete");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List tenant skill secrets (metadata only).")
  static final class ListSecrets extends CredentialList {
    @Override
    Credentials home() {
      return Credentials.secrets(this);
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a secret and its versions (metadata only).")
  static final class Show extends RemoteCommand {
    @Mixin CredentialArgs secret;

    @Override
    public Integer call() {
      Credentials secrets = Credentials.secrets(this);
      JsonNode c = call("GET", secrets.path(secret.resolve(secrets)), null);
      emit(c, () -> CredentialViews.show(c));
      return 0;
    }
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Create a secret, or give an existing one a new value (a new version; same id, same grants).",
        "  keyroom secrets set --kind gemini --name prod   creates gemini/prod, or replaces its value",
        "  keyroom secrets set prod                       replaces the value of the secret named prod",
        "The value is read from --value-file or stdin; typed at a terminal it is not shown."
      })
  static final class SetSecret extends RemoteCommand {
    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "NAME",
        description = "an existing secret to give a new value: name, KIND/NAME or id")
    String typed;

    @Option(names = "--kind", paramLabel = "KIND", description = "catalog kind, e.g. gemini")
    String kind;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "secret name (with --kind: created when it does not exist)")
    String name;

    @Option(
        names = "--value-file",
        paramLabel = "FILE",
        description = "read the value from this file (default: stdin)")
    Path valueFile;

    @Override
    public Integer call() {
      Credentials secrets = Credentials.secrets(this);
      Credentials.Ref existing;
      if (typed != null) {
        if (name != null) {
          throw new Failures.CliException(
              Main.USAGE, "give either NAME (an existing secret) or --kind and --name, not both");
        }
        existing = secrets.resolve("NAME", typed, kind);
      } else {
        if (kind == null || name == null) {
          throw new Failures.CliException(
              Main.USAGE,
              "set needs --kind and --name (to create or replace), or the NAME of an existing secret (to replace)");
        }
        existing = secrets.find(kind, name);
      }
      String what =
          existing == null ? kind + " secret '" + name + "'" : "secret " + existing.label();
      String value = ValueInput.read(valueFile, "value for " + what + " (not shown as you type): ");
      if (existing == null) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", kind);
        body.put("name", name);
        body.put("value", value);
        JsonNode res = call("POST", "/api/v1/secrets", body);
        emit(
            res,
            () ->
                System.out.println(
                    "created "
                        + res.get("id").asText()
                        + " ("
                        + kind
                        + "/"
                        + name
                        + ", version 1,"
                        + " fingerprint "
                        + res.get("fingerprint").asText()
                        + ")"));
      } else {
        JsonNode res = call("PUT", secrets.path(existing) + "/value", Map.of("value", value));
        emit(
            res,
            () -> {
              System.out.println(
                  "replaced "
                      + res.get("id").asText()
                      + " ("
                      + res.get("kind").asText()
                      + "/"
                      + res.get("name").asText()
                      + ", version "
                      + res.get("version").asText()
                      + ", fingerprint "
                      + res.get("fingerprint").asText()
                      + ")");
              System.out.println(CredentialViews.liveSessions(res));
            });
      }
      return 0;
    }
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = {
        "Run the kind's cheap test call at its provider (e.g. list one model) with the secret; only the status comes back.",
        "Exit codes: 0 the provider accepted the key; 1 it refused it, could not be reached, or the kind has no test call."
      })
  static final class Test extends RemoteCommand {
    @Mixin CredentialArgs secret;

    @Override
    public Integer call() {
      Credentials secrets = Credentials.secrets(this);
      JsonNode res = call("POST", secrets.path(secret.resolve(secrets)) + "/test", null);
      emit(
          res,
          () ->
              System.out.println(
                  res.get("credentialId").asText() + ": " + RemoteCommand.text(res, "message")));
      return res.path("ok").asBoolean() ? 0 : Main.FAILED;
    }
  }

  // Not mixinStandardHelpOptions: its -V/--version would clash with the secret's --version below,
  // and picocli then dropped -h/--help as well, so `revoke --help` answered "see: … --help".
  @Command(
      name = "revoke",
      description = "Revoke a secret (or one version of it): every use stops at once.")
  static final class RevokeSecret extends RemoteCommand {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;

    @Mixin CredentialArgs secret;

    @Option(names = "--version", paramLabel = "N", description = "revoke only this version")
    Integer version;

    @Override
    public Integer call() {
      Credentials secrets = Credentials.secrets(this);
      Credentials.Ref ref = secret.resolve(secrets);
      JsonNode res =
          call(
              "POST",
              secrets.path(ref) + "/revoke",
              version == null ? Map.of() : Map.of("version", version));
      emit(
          res,
          () -> {
            System.out.println(
                res.get("kind").asText()
                    + "/"
                    + res.get("name").asText()
                    + " ("
                    + ref.id()
                    + "): status "
                    + res.get("status").asText()
                    + (version == null ? "" : " (version " + version + " revoked)"));
            System.out.println(CredentialViews.liveSessions(res));
          });
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete a secret; its ciphertext is destroyed.")
  static final class DeleteSecret extends RemoteCommand {
    @Mixin CredentialArgs secret;

    @Override
    public Integer call() {
      Credentials secrets = Credentials.secrets(this);
      Credentials.Ref ref = secret.resolve(secrets);
      call("DELETE", secrets.path(ref), null);
      emit(
          Json.MAPPER.createObjectNode().put("id", ref.id()).put("deleted", true),
          () -> System.out.println(ref.label() + ": deleted"));
      return 0;
    }
  }
}
