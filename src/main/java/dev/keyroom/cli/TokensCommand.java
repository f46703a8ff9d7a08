package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code keyroom tokens …}: the caller's own API tokens. */
@Command(
    name = "tokens",
    mixinStandardHelpOptions = true,
    description =
        "List, create and revoke your own API tokens (an operator who lost the first admin token: keyroom admin create-user-token).",
    subcommands = {
      TokensCommand.ListTokens.class,
      TokensCommand.Create.class,
      TokensCommand.Revoke.class
    })
final class TokensCommand implements Runnable {
  @Override
  public void run() {
    throw new Failures.CliException(
        Main.USAGE, "tokens needs a subcommand: list, create or revoke");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List your API tokens (metadata only).")
  static final class ListTokens extends RemoteCommand {
    @Override
    public Integer call() {
      JsonNode res = call("GET", "/api/v1/me/tokens", null);
      emit(
          res,
          () -> {
            Table t = new Table("ID", "NAME", "CREATED", "LAST USED", "REVOKED");
            for (JsonNode x : res.get("tokens")) {
              t.row(
                  x.get("id").asText(),
                  x.get("name").asText(),
                  time(x, "createdAt"),
                  time(x, "lastUsedAt"),
                  time(x, "revokedAt"));
            }
            t.print();
          });
      return 0;
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create an API token for yourself; printed once.")
  static final class Create extends RemoteCommand {
    @Parameters(
        index = "0",
        paramLabel = "NAME",
        description = "a label for the token, e.g. laptop")
    String name;

    @Override
    public Integer call() {
      JsonNode res = call("POST", "/api/v1/me/tokens", Map.of("name", name));
      emit(
          res,
          () -> {
            System.out.println(
                "token " + res.get("id").asText() + " '" + name + "' (shown once, never again):");
            System.out.println(res.get("token").asText());
          });
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke one of your API tokens.")
  static final class Revoke extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "token id (tok_…)")
    String id;

    @Override
    public Integer call() {
      call("DELETE", "/api/v1/me/tokens/" + path(id), null);
      emit(
          dev.keyroom.api.Json.MAPPER.createObjectNode().put("id", id).put("status", "revoked"),
          () -> System.out.println("token " + id + " revoked."));
      return 0;
    }
  }
}
