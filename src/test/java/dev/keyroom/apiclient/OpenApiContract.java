package dev.keyroom.apiclient;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.keyroom.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * src/main/resources/api/openapi.json as a contract for real answers: which documented operation
 * serves a request, and whether an answer has a documented status and matches the schema documented
 * for it (JSON Schema 2020-12, OpenAPI 3.1's dialect: required fields, types, nulls, enums and
 * closed objects).
 */
final class OpenApiContract {
  private static final String BASE = "https://keyroom.dev/api/v1/openapi.json";
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  /** A documented operation. */
  record Operation(String id, String method, String pathTemplate, JsonNode node) {}

  private record Route(Operation operation, Pattern pattern, int literalSegments) {}

  private final JsonNode document;
  private final List<Route> routes = new ArrayList<>();
  private final SchemaRegistry registry;
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  private OpenApiContract(String text) throws IOException {
    this.document = Json.MAPPER.readTree(text);
    this.registry =
        SchemaRegistry.withDefaultDialect(
            Dialects.getOpenApi31(), b -> b.schemas(Map.of(BASE, text)));
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (METHODS.contains(op.getKey())) {
          Operation o =
              new Operation(
                  op.getValue().path("operationId").asText(),
                  op.getKey().toUpperCase(Locale.ROOT),
                  p.getKey(),
                  op.getValue());
          routes.add(new Route(o, pattern(p.getKey()), literalSegments(p.getKey())));
        }
      }
    }
  }

  static OpenApiContract load() {
    try (InputStream in = OpenApiContract.class.getResourceAsStream("/api/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("api/openapi.json is not on the class path");
      }
      return new OpenApiContract(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode document() {
    return document;
  }

  List<Operation> operations() {
    return routes.stream().map(Route::operation).toList();
  }

  /**
   * The operation serving {@code method path} (query ignored); a literal segment beats a path
   * parameter.
   */
  Optional<Operation> operation(String method, String path) {
    String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    return routes.stream()
        .filter(r -> r.operation().method().equals(method) && r.pattern().matcher(p).matches())
        .max(Comparator.comparingInt(Route::literalSegments))
        .map(Route::operation);
  }

  /**
   * What is wrong with an answer to {@code op}: an undocumented status, a content type other than
   * the documented one, a body where none is documented, or a JSON body outside its schema. Empty
   * when the answer matches the document.
   */
  List<String> violations(Operation op, int status, String contentType, String body) {
    List<String> out = new ArrayList<>();
    String where = op.id() + " " + status;
    JsonNode response = op.node().path("responses").path(String.valueOf(status));
    if (response.isMissingNode()) {
      out.add(
          where
              + ": status "
              + status
              + " is not documented (documented: "
              + iterable(op.node().path("responses").fieldNames())
              + ")");
      return out;
    }
    String pointer =
        "/paths/"
            + escape(op.pathTemplate())
            + "/"
            + op.method().toLowerCase(Locale.ROOT)
            + "/responses/"
            + status;
    if (response.has("$ref")) {
      pointer = response.get("$ref").asText().substring(1);
      response = document.at(pointer);
    }
    JsonNode content = response.path("content");
    if (content.isMissingNode() || content.isEmpty()) {
      if (body != null && !body.isEmpty()) {
        out.add(where + ": documented without a body, but the answer has one");
      }
      return out;
    }
    String media =
        contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (!content.has(media)) {
      out.add(
          where
              + ": content type '"
              + media
              + "' is not documented (documented: "
              + iterable(content.fieldNames())
              + ")");
      return out;
    }
    if (!media.equals("application/json")) {
      return out;
    }
    JsonNode instance;
    try {
      instance = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      out.add(where + ": body is not JSON");
      return out;
    }
    String schemaPointer = pointer + "/content/" + escape(media) + "/schema";
    Schema schema =
        schemas.computeIfAbsent(
            schemaPointer, sp -> registry.getSchema(SchemaLocation.of(BASE + "#" + sp)));
    schema.validate(instance).forEach(e -> out.add(where + ": " + e));
    return out;
  }

  private static String iterable(Iterator<String> names) {
    List<String> out = new ArrayList<>();
    names.forEachRemaining(out::add);
    return String.join(", ", out);
  }

  /** A JSON pointer token: '~' and '/' escaped. */
  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  private static Pattern pattern(String template) {
    StringBuilder re = new StringBuilder();
    for (String segment : template.substring(1).split("/")) {
      re.append('/');
      re.append(segment.startsWith("{") ? "[^/]+" : Pattern.quote(segment));
    }
    return Pattern.compile(re.toString());
  }

  private static int literalSegments(String template) {
    int n = 0;
    for (String segment : template.split("/")) {
      if (!segment.startsWith("{")) {
        n++;
      }
    }
    return n;
  }
}
