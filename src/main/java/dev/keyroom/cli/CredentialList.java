package dev.keyroom.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/**
 * {@code keyroom secrets list} and {@code keyroom integrations list}: every credential of one home,
 * searched and filtered by the server, every page fetched. {@code --json} prints {@code
 * {"credentials": […]}}.
 */
abstract class CredentialList extends RemoteCommand {
  @Option(names = "--kind", paramLabel = "KIND", description = "only this kind, e.g. gemini")
  String kind;

  @Option(
      names = {"--search", "-q"},
      paramLabel = "TEXT",
      description = "only those whose name, or kind, contains TEXT (any case)")
  String search;

  /** Where the credentials live: the tenant's secrets or the caller's integrations. */
  abstract Credentials home();

  @Override
  public Integer call() {
    ArrayNode rows = home().search(search, kind);
    ObjectNode res = JsonNodeFactory.instance.objectNode();
    res.set("credentials", rows);
    emit(res, () -> CredentialViews.list(rows));
    return 0;
  }
}
