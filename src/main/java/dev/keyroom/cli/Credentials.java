package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.keyroom.store.Identifiers;
import dev.keyroom.vault.CredentialId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One home of credentials as the CLI reaches it — the tenant's secrets ({@code /api/v1/secrets}) or
 * your own integrations ({@code /api/v1/me/integrations}) — and the one resolver of what a person
 * types for a credential: an id ({@code cred_…}), a {@code NAME}, or {@code KIND/NAME}. Names are
 * unique per kind, so a bare name that several kinds use is refused (exit 2) with the kinds listed;
 * {@code --kind} or {@code KIND/NAME} says which. A name is looked up with the list's exact {@code
 * name} filter, an id (when a kind is asked for) with a get.
 */
final class Credentials {
  /** A credential a person named: its id, and its kind and name when they are known. */
  record Ref(String id, String kind, String name) {
    /** "gemini/prod (cred_…)", or the id alone when only the id is known. */
    String label() {
      return kind == null || name == null ? id : kind + "/" + name + " (" + id + ")";
    }
  }

  private final ServerOptions remote;
  private final String path;
  private final String noun;
  private final String listCommand;
  private JsonNode listed;
  private boolean unlisted;

  private Credentials(ServerOptions remote, String path, String noun, String listCommand) {
    this.remote = remote;
    this.path = path;
    this.noun = noun;
    this.listCommand = listCommand;
  }

  /** Config → Secrets of the tenant (admins). */
  static Credentials secrets(ServerOptions remote) {
    return new Credentials(remote, "/api/v1/secrets", "secret", "keyroom secrets list");
  }

  /** Profile → Integrations: the caller's own. */
  static Credentials integrations(ServerOptions remote) {
    return new Credentials(
        remote, "/api/v1/me/integrations", "integration", "keyroom integrations list");
  }

  /** The API path of this home, e.g. {@code /api/v1/secrets}. */
  String path() {
    return path;
  }

  /** The API path of one credential of this home. */
  String path(Ref ref) {
    return path + "/" + RemoteCommand.path(ref.id());
  }

  /**
   * The home's credentials as the API lists them (metadata only), every page, fetched once. Kept
   * for display ({@link #nameOf}); finding one by name asks the server for that name only.
   */
  JsonNode list() {
    if (listed == null) {
      listed = pages("");
    }
    return listed;
  }

  /**
   * Every credential whose name or kind holds {@code search} (null: any), of kind {@code kind}
   * (null: any), every page.
   */
  ArrayNode search(String search, String kind) {
    return pages(
        (search == null ? "" : "&q=" + encoded(search))
            + (kind == null ? "" : "&kind=" + encoded(kind)));
  }

  /** Every page of the list with these query parameters ({@code &name=…}), as one array. */
  private ArrayNode pages(String query) {
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    String after = null;
    do {
      JsonNode page =
          remote.call(
              "GET",
              path + "?limit=200" + query + (after == null ? "" : "&after=" + encoded(after)),
              null);
      all.addAll((ArrayNode) page.get("credentials"));
      after = page.path("next").isTextual() ? page.get("next").asText() : null;
    } while (after != null);
    return all;
  }

  /** The credentials named {@code name} exactly, of kind {@code kind} when it is not null. */
  private ArrayNode named(String name, String kind) {
    return pages("&name=" + encoded(name) + (kind == null ? "" : "&kind=" + encoded(kind)));
  }

  /** The credential of {@code kind} named {@code name}, if there is one. */
  Ref find(String kind, String name) {
    ArrayNode found = named(name, kind);
    return found.isEmpty() ? null : ref(found.get(0));
  }

  /**
   * The credential {@code typed} names. {@code kind} is {@code --kind} or the kind the context
   * fixes (a workroom's {@code --tool gemini=…}), null when any kind will do; {@code field} is the
   * argument or flag the errors name. Unknown: exit 1, naming the command that lists what exists.
   * Ambiguous: exit 2, listing the kinds.
   */
  Ref resolve(String field, String typed, String kind) {
    if (typed == null || typed.isBlank()) {
      throw new Failures.CliException(
          Main.USAGE, field + ": is empty; give an id (cred_…), NAME or KIND/NAME");
    }
    String name = typed;
    String wanted = kind;
    int slash = typed.indexOf('/');
    if (slash >= 0) {
      String typedKind = typed.substring(0, slash);
      name = typed.substring(slash + 1);
      if (typedKind.isEmpty() || name.isEmpty()) {
        throw new Failures.CliException(
            Main.USAGE, field + ": '" + typed + "' is not KIND/NAME (e.g. gemini/prod)");
      }
      if (wanted != null && !wanted.equals(typedKind)) {
        throw new Failures.CliException(
            Main.USAGE,
            field
                + ": '"
                + typed
                + "' names kind '"
                + typedKind
                + "', but kind '"
                + wanted
                + "' is asked for here");
      }
      wanted = typedKind;
    } else if (Identifiers.hasShape(typed, CredentialId.PREFIX)) {
      return byId(field, typed, wanted);
    }
    List<JsonNode> matches = new ArrayList<>();
    named(name, wanted).forEach(matches::add);
    if (matches.isEmpty()) {
      throw new Failures.CliException(
          Main.FAILED,
          field
              + ": no "
              + noun
              + (wanted == null ? "" : " of kind '" + wanted + "'")
              + " named '"
              + name
              + "' (see "
              + listCommand
              + ")");
    }
    if (matches.size() == 1) {
      return ref(matches.get(0));
    }
    Set<String> kinds = new LinkedHashSet<>();
    List<String> ids = new ArrayList<>();
    matches.forEach(
        c -> {
          kinds.add(c.get("kind").asText());
          ids.add(c.get("id").asText());
        });
    if (kinds.size() > 1) {
      throw new Failures.CliException(
          Main.USAGE,
          field
              + ": "
              + kinds.size()
              + " "
              + noun
              + "s are named '"
              + name
              + "', of kinds "
              + String.join(", ", kinds)
              + "; say which with --kind KIND or KIND/NAME (e.g. "
              + kinds.iterator().next()
              + "/"
              + name
              + ")");
    }
    throw new Failures.CliException(
        Main.FAILED,
        field
            + ": "
            + ids.size()
            + " "
            + noun
            + "s of kind '"
            + kinds.iterator().next()
            + "' are named '"
            + name
            + "'; give the id instead ("
            + String.join(", ", ids)
            + ")");
  }

  /**
   * An id is taken as it is; with a kind asked for, a credential of another kind is refused. An id
   * the server does not know is left for the command's own call to answer (404).
   */
  private Ref byId(String field, String id, String kind) {
    if (kind == null) {
      return new Ref(id, null, null);
    }
    JsonNode c;
    try {
      c = remote.call("GET", path + "/" + encoded(id), null);
    } catch (ApiClient.Refused e) {
      if (e.status == 404) {
        return new Ref(id, kind, null);
      }
      throw e;
    }
    if (!c.get("kind").asText().equals(kind)) {
      throw new Failures.CliException(
          Main.USAGE,
          field
              + ": "
              + id
              + " is of kind '"
              + c.get("kind").asText()
              + "', but kind '"
              + kind
              + "' is asked for here");
    }
    return ref(c);
  }

  /**
   * The name of a credential id for display, or the id itself when it is not listed (or may not
   * be).
   */
  String nameOf(String id) {
    if (unlisted) {
      return id;
    }
    try {
      for (JsonNode c : list()) {
        if (c.get("id").asText().equals(id)) {
          return c.get("name").asText();
        }
      }
    } catch (Failures.CliException e) {
      unlisted = true; // a member may not list tenant secrets: show ids
      return id;
    }
    return id;
  }

  private static String encoded(String queryValue) {
    return RemoteCommand.path(queryValue);
  }

  private static Ref ref(JsonNode c) {
    return new Ref(c.get("id").asText(), c.get("kind").asText(), c.get("name").asText());
  }
}
