package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyroom.api.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keyroom integrations …}: your own connections (Profile → Integrations) on a running
 * server, as the logged-in person. They belong to you only: an admin's token sees the admin's own,
 * never a member's.
 */
@Command(
    name = "integrations",
    mixinStandardHelpOptions = true,
    description = {
      "Manage your own integrations (Profile → Integrations): git tokens, personal environment secrets, OAuth logins.",
      "An integration is given by NAME, KIND/NAME (e.g. git-token/github) or id; a name that several kinds use needs"
          + " --kind or KIND/NAME."
    },
    subcommands = {
      IntegrationsCommand.ListIntegrations.class,
      IntegrationsCommand.Show.class,
      IntegrationsCommand.Add.class,
      IntegrationsCommand.SetValue.class,
      IntegrationsCommand.Test.class,
      IntegrationsCommand.Revoke.class,
      IntegrationsCommand.Delete.class,
      IntegrationsCommand.Connect.class
    })
final class IntegrationsCommand implements Runnable {
  @Override
  public void run() {
    throw new Failures.CliException(
        Main.USAGE,
        "integrations needs a subcommand: list, show, add, set, test, revoke, delete or connect");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List your integrations (metadata only).")
  static final class ListIntegrations extends CredentialList {
    @Override
    Credentials home() {
      return Credentials.integrations(this);
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Show an integration and its versions; for an OAuth login also the account, scopes and status.")
  static final class Show extends RemoteCommand {
    @Mixin CredentialArgs integration;

    @Override
    public Integer call() {
      Credentials mine = Credentials.integrations(this);
      Credentials.Ref ref = integration.resolve(mine);
      JsonNode c = call("GET", mine.path(ref), null);
      JsonNode oauth =
          oauthIds(this).contains(c.get("id").asText())
              ? call("GET", mine.path(ref) + "/oauth", null)
              : null;
      ObjectNode out = ((ObjectNode) c.deepCopy());
      if (oauth != null) {
        out.set("oauth", oauth);
      }
      emit(
          out,
          () -> {
            CredentialViews.show(c);
            if (oauth != null) {
              System.out.println(
                  "oauth:       "
                      + RemoteCommand.text(oauth, "provider")
                      + ", "
                      + RemoteCommand.text(oauth, "connectedAs")
                      + ", status "
                      + RemoteCommand.text(oauth, "status")
                      + ", expires "
                      + RemoteCommand.time(oauth, "expiresAt"));
            }
          });
      return 0;
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Add an integration of your own, e.g. a git token:",
        "  printf '%s' \"$TOKEN\" | keyroom integrations add --kind git-token --name github",
        "The value is read from --value-file or stdin; typed at a terminal it is not shown. OAuth logins are connected"
            + " in a browser instead: keyroom integrations connect PROVIDER."
      })
  static final class Add extends RemoteCommand {
    @Option(
        names = "--kind",
        required = true,
        paramLabel = "KIND",
        description = "a user kind, e.g. git-token or personal-env")
    String kind;

    @Option(
        names = "--name",
        required = true,
        paramLabel = "NAME",
        description = "its name (personal-env: the environment variable, e.g. NPM_TOKEN)")
    String name;

    @Option(
        names = "--value-file",
        paramLabel = "FILE",
        description = "read the value from this file (default: stdin)")
    Path valueFile;

    @Option(
        names = "--host",
        paramLabel = "HOST",
        description =
            "git kinds: a host git may be handed it for (default: the kind's,"
                + " e.g. github.com); repeatable")
    List<String> hosts = new ArrayList<>();

    @Override
    public Integer call() {
      String value =
          ValueInput.read(
              valueFile,
              "value for " + kind + " integration '" + name + "' (not shown as you type): ");
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("kind", kind);
      body.put("name", name);
      body.put("value", value);
      if (!hosts.isEmpty()) {
        body.put("hosts", hosts);
      }
      JsonNode res = call("POST", "/api/v1/me/integrations", body);
      emit(
          res,
          () ->
              System.out.println(
                  "added "
                      + res.get("id").asText()
                      + " ("
                      + kind
                      + "/"
                      + name
                      + ", version 1,"
                      + " fingerprint "
                      + res.get("fingerprint").asText()
                      + (res.hasNonNull("hosts")
                          ? ", hosts " + String.join(" ", strings(res.get("hosts")))
                          : "")
                      + ")"));
      return 0;
    }
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description =
          "Give an integration a new value (a new version, same id). The value is read from --value-file or stdin.")
  static final class SetValue extends RemoteCommand {
    @Mixin CredentialArgs integration;

    @Option(
        names = "--value-file",
        paramLabel = "FILE",
        description = "read the value from this file (default: stdin)")
    Path valueFile;

    @Override
    public Integer call() {
      Credentials mine = Credentials.integrations(this);
      Credentials.Ref ref = integration.resolve(mine);
      String value =
          ValueInput.read(
              valueFile, "new value for integration " + ref.label() + " (not shown as you type): ");
      JsonNode res = call("PUT", mine.path(ref) + "/value", Map.of("value", value));
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
      return 0;
    }
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = {
        "Check a git token (or OAuth login) at its host and say which account it belongs to.",
        "Exit codes: 0 it works; 1 it was refused, the host could not be reached, or the kind has no test call."
      })
  static final class Test extends RemoteCommand {
    @Mixin CredentialArgs integration;

    @Override
    public Integer call() {
      Credentials mine = Credentials.integrations(this);
      Credentials.Ref ref = integration.resolve(mine);
      JsonNode res = call("POST", mine.path(ref) + "/test", null);
      boolean ok = res.path("ok").asBoolean();
      emit(
          res,
          () ->
              System.out.println(
                  ref.label()
                      + ": "
                      + RemoteCommand.text(res, "message")
                      + (ok && res.hasNonNull("account")
                          ? " (account " + res.get("account").asText() + ")"
                          : "")));
      return ok ? 0 : Main.FAILED;
    }
  }

  // Not mixinStandardHelpOptions: its -V/--version would clash with --version below.
  @Command(
      name = "revoke",
      description = "Revoke an integration (or one version of it): every use stops at once.")
  static final class Revoke extends RemoteCommand {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;

    @Mixin CredentialArgs integration;

    @Option(names = "--version", paramLabel = "N", description = "revoke only this version")
    Integer version;

    @Override
    public Integer call() {
      Credentials mine = Credentials.integrations(this);
      Credentials.Ref ref = integration.resolve(mine);
      JsonNode res =
          call(
              "POST",
              mine.path(ref) + "/revoke",
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
      description =
          "Delete an integration; its ciphertext is destroyed. An OAuth login is disconnected: Keyroom also asks"
              + " the provider to revoke its tokens.")
  static final class Delete extends RemoteCommand {
    @Mixin CredentialArgs integration;

    @Override
    public Integer call() {
      Credentials mine = Credentials.integrations(this);
      Credentials.Ref ref = integration.resolve(mine);
      if (oauthIds(this).contains(ref.id())) {
        JsonNode res = call("DELETE", mine.path(ref) + "/oauth", null);
        emit(
            res,
            () -> {
              System.out.println(ref.label() + ": disconnected and deleted");
              JsonNode r = res.path("revocation");
              System.out.println(
                  r.path("ok").asBoolean()
                      ? "the provider revoked its tokens"
                      : "at the provider: " + RemoteCommand.text(r, "message"));
            });
        return 0;
      }
      call("DELETE", mine.path(ref), null);
      emit(
          Json.MAPPER.createObjectNode().put("id", ref.id()).put("deleted", true),
          () -> System.out.println(ref.label() + ": deleted"));
      return 0;
    }
  }

  @Command(
      name = "connect",
      mixinStandardHelpOptions = true,
      description = {
        "Connect an OAuth login (github, gitlab, google, generic): prints the page to open in your browser.",
        "The sign-in must start in the browser that finishes it (Keyroom binds it to that browser), so the page is"
            + " Profile → Integrations, signed in as you; this command opens no browser itself."
      })
  static final class Connect extends RemoteCommand {
    @Parameters(
        index = "0",
        paramLabel = "PROVIDER",
        description = "provider id (e.g. github) or its kind (e.g. github-oauth)")
    String provider;

    @Override
    public Integer call() {
      JsonNode providers = call("GET", "/api/v1/oauth/providers", null).get("providers");
      JsonNode chosen = null;
      List<String> known = new ArrayList<>();
      for (JsonNode p : providers) {
        known.add(p.get("provider").asText());
        if (p.get("provider").asText().equals(provider)
            || p.get("kind").asText().equals(provider)) {
          chosen = p;
        }
      }
      if (chosen == null) {
        throw new Failures.CliException(
            Main.FAILED,
            "PROVIDER: no sign-in provider '"
                + provider
                + "'; this Keyroom knows "
                + String.join(", ", known));
      }
      String id = chosen.get("provider").asText();
      if (!chosen.get("configured").asBoolean()) {
        throw new Failures.CliException(
            Main.FAILED,
            "PROVIDER: '"
                + id
                + "' is not set up on this Keyroom; an operator sets"
                + " KEYROOM_OAUTH_"
                + id.toUpperCase(java.util.Locale.ROOT).replace('-', '_')
                + "_CLIENT_ID (see docs/oauth.md)");
      }
      Identity me = Identity.of(api(), null);
      if (me.user() == null) {
        throw new Failures.CliException(
            Main.USAGE,
            "connect acts for a person: log in with your own token, not a service token");
      }
      String display = chosen.get("displayName").asText().replace(" (OAuth login)", "");
      String url = me.url() + "/profile/integrations#oauth-title";
      ObjectNode out =
          Json.MAPPER
              .createObjectNode()
              .put("provider", id)
              .put("kind", chosen.get("kind").asText())
              .put("user", me.user())
              .put("url", url);
      emit(
          out,
          () -> {
            System.out.println(
                "To connect "
                    + display
                    + ", open this page in a browser where you are signed in to Keyroom as "
                    + me.user()
                    + ", and choose \"Connect "
                    + display
                    + "\":");
            System.out.println();
            System.out.println("  " + url);
            System.out.println();
            System.out.println(
                "The sign-in starts and ends in that browser. Then: keyroom integrations list");
          });
      return 0;
    }
  }

  /** Ids of your integrations that are OAuth logins. */
  static Set<String> oauthIds(ServerOptions remote) {
    Set<String> ids = new HashSet<>();
    remote
        .call("GET", "/api/v1/me/integrations/oauth/connections", null)
        .path("integrations")
        .forEach(i -> ids.add(i.get("id").asText()));
    return ids;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(x -> out.add(x.asText()));
    return out;
  }
}
