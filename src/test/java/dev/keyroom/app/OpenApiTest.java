package dev.keyroom.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * src/main/resources/api/openapi.json documents exactly the /api/v1 routes Keyroom registers: every
 * registered route is documented and every documented operation exists. Adding a route means
 * documenting it (docs/api.md).
 */
class OpenApiTest {
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options");

  @TempDir Path dir;

  static JsonNode document() throws IOException {
    try (InputStream in = OpenApiTest.class.getResourceAsStream("/api/openapi.json")) {
      assertThat(in).as("src/main/resources/api/openapi.json exists").isNotNull();
      return Json.MAPPER.readTree(in);
    }
  }

  @Test
  void documentMatchesTheRegisteredRoutesInBothDirections() throws IOException {
    JsonNode doc = document();
    Set<String> documented = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (Iterator<String> ops = p.getValue().fieldNames(); ops.hasNext(); ) {
        String op = ops.next();
        if (METHODS.contains(op)) {
          documented.add(op.toUpperCase(Locale.ROOT) + " " + p.getKey());
        }
      }
    }
    Set<String> registered = new TreeSet<>();
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      for (ApiRoutes.Route r : k.keyroom.http().routes()) {
        if (r.path().startsWith("/api/v1/")) {
          registered.add(r.method() + " " + r.path());
        }
      }
    }
    Set<String> undocumented = new TreeSet<>(registered);
    undocumented.removeAll(documented);
    Set<String> stale = new TreeSet<>(documented);
    stale.removeAll(registered);
    assertThat(undocumented)
        .as("registered routes missing from src/main/resources/api/openapi.json")
        .isEmpty();
    assertThat(stale).as("documented operations that no route serves").isEmpty();
  }

  @Test
  void documentIsOpenApi31_andEveryOperationIsComplete() throws IOException {
    JsonNode doc = document();
    assertThat(doc.get("openapi").asText()).startsWith("3.1");
    assertThat(doc.at("/info/title").asText()).isEqualTo("Keyroom API");
    assertThat(doc.at("/components/schemas/Error/required").toString())
        .contains("error")
        .contains("message");
    assertThat(doc.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
    java.util.Set<String> operationIds = new java.util.HashSet<>();
    java.util.Set<String> tagsUsed = new java.util.TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (!METHODS.contains(op.getKey())) {
          continue;
        }
        String name = op.getKey() + " " + p.getKey();
        assertThat(op.getValue().has("summary")).as(name + " has a summary").isTrue();
        // Generated clients name their methods after operationId: every operation has one, unique
        // and camelCase.
        String id = op.getValue().path("operationId").asText("");
        assertThat(id).as(name + " has an operationId").matches("[a-z][A-Za-z0-9]+");
        assertThat(operationIds.add(id)).as(name + ": operationId " + id + " is unique").isTrue();
        op.getValue().path("tags").forEach(t -> tagsUsed.add(t.asText()));
        assertThat(op.getValue().has("responses")).as(name + " has responses").isTrue();
        assertThat(op.getValue().get("responses").size())
            .as(name + " documents its responses")
            .isGreaterThan(0);
        for (String param : p.getKey().split("/")) {
          if (param.startsWith("{")) {
            String pname = param.substring(1, param.length() - 1);
            String params =
                op.getValue().path("parameters").toString() + p.getValue().path("parameters");
            assertThat(params)
                .as(name + " documents path parameter " + pname)
                .contains("\"" + pname + "\"");
          }
        }
        collectRefs(op.getValue(), doc, name);
      }
    }
    for (String tag : tagsUsed) {
      JsonNode declared = null;
      for (JsonNode t : doc.path("tags")) {
        if (t.path("name").asText().equals(tag)) {
          declared = t;
        }
      }
      assertThat(declared).as("tag " + tag + " is declared").isNotNull();
      assertThat(declared.path("description").asText(""))
          .as("tag " + tag + " has a description")
          .isNotBlank();
    }
  }

  /**
   * An answer's fields are required unless they are conditional: every property of every object
   * schema a 2xx JSON answer can hold is listed in {@code required}, or says in its description
   * when it is present ("only for …", "only in the answer to …"). Generated clients and readers
   * rely on required fields being there; ResponsesMatchTheDocumentTest checks real answers.
   */
  @Test
  void everyAnswerFieldIsRequiredUnlessItSaysWhenItIsPresent() throws IOException {
    JsonNode doc = document();
    Set<String> seen = new TreeSet<>();
    Set<String> optional = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> p = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (!METHODS.contains(op.getKey())) {
          continue;
        }
        for (Iterator<Map.Entry<String, JsonNode>> rs = op.getValue().path("responses").fields();
            rs.hasNext(); ) {
          Map.Entry<String, JsonNode> r = rs.next();
          if (r.getKey().startsWith("2")) {
            JsonNode schema = r.getValue().at("/content/application~1json/schema");
            checkRequired(
                schema, doc, op.getKey() + " " + p.getKey() + " " + r.getKey(), seen, optional);
          }
        }
      }
    }
    assertThat(optional)
        .as(
            "answer fields neither required nor saying when they are present (description with 'only')")
        .isEmpty();
  }

  private static void checkRequired(
      JsonNode schema, JsonNode doc, String where, Set<String> seen, Set<String> optional) {
    if (schema == null || schema.isMissingNode()) {
      return;
    }
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      if (seen.add(ref)) {
        checkRequired(doc.at(ref.substring(1)), doc, ref, seen, optional);
      }
      return;
    }
    Set<String> required = new TreeSet<>();
    schema.path("required").forEach(n -> required.add(n.asText()));
    for (Iterator<Map.Entry<String, JsonNode>> props = schema.path("properties").fields();
        props.hasNext(); ) {
      Map.Entry<String, JsonNode> prop = props.next();
      String description = prop.getValue().path("description").asText("").toLowerCase(Locale.ROOT);
      if (!required.contains(prop.getKey()) && !description.contains("only")) {
        optional.add(where + " ." + prop.getKey());
      }
      checkRequired(prop.getValue(), doc, where + " ." + prop.getKey(), seen, optional);
    }
    checkRequired(schema.get("items"), doc, where + "[]", seen, optional);
    for (String combinator : List.of("allOf", "oneOf", "anyOf")) {
      for (JsonNode sub : schema.path(combinator)) {
        checkRequired(sub, doc, where, seen, optional);
      }
    }
  }

  /**
   * An optional array in a request body also accepts null: a generated client leaves a nullable
   * array null (not sent), but fills a non-nullable one with [] — and [] means "none", so a change
   * of a skill's description would clear its kinds, a rename of a workroom its tools.
   */
  @Test
  void optionalArraysInRequestBodiesAreNullable() throws IOException {
    JsonNode doc = document();
    Set<String> seen = new TreeSet<>();
    Set<String> notNullable = new TreeSet<>();
    for (JsonNode path : doc.get("paths")) {
      for (Iterator<Map.Entry<String, JsonNode>> ops = path.fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (METHODS.contains(op.getKey())) {
          checkArrays(
              op.getValue().at("/requestBody/content/application~1json/schema"),
              doc,
              op.getValue().path("operationId").asText(),
              seen,
              notNullable);
        }
      }
    }
    assertThat(notNullable)
        .as("optional request arrays that a generated client would send as []")
        .isEmpty();
  }

  private static void checkArrays(
      JsonNode schema, JsonNode doc, String where, Set<String> seen, Set<String> out) {
    if (schema == null || schema.isMissingNode()) {
      return;
    }
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      if (seen.add(ref)) {
        checkArrays(doc.at(ref.substring(1)), doc, ref, seen, out);
      }
      return;
    }
    Set<String> required = new TreeSet<>();
    schema.path("required").forEach(n -> required.add(n.asText()));
    for (Iterator<Map.Entry<String, JsonNode>> props = schema.path("properties").fields();
        props.hasNext(); ) {
      Map.Entry<String, JsonNode> prop = props.next();
      JsonNode type = prop.getValue().path("type");
      if (type.toString().contains("\"array\"")
          && !type.toString().contains("\"null\"")
          && !required.contains(prop.getKey())) {
        out.add(where + " ." + prop.getKey());
      }
      checkArrays(prop.getValue(), doc, where + " ." + prop.getKey(), seen, out);
    }
    checkArrays(schema.get("items"), doc, where + "[]", seen, out);
  }

  /**
   * Inline bodies have a title: generated clients name their types after it (UserList, not
   * ListUsers200Response).
   */
  @Test
  void inlineBodiesHaveATitle() throws IOException {
    JsonNode doc = document();
    Set<String> untitled = new TreeSet<>();
    for (JsonNode path : doc.get("paths")) {
      for (Iterator<Map.Entry<String, JsonNode>> ops = path.fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (!METHODS.contains(op.getKey())) {
          continue;
        }
        String id = op.getValue().path("operationId").asText();
        List<JsonNode> bodies = new java.util.ArrayList<>();
        bodies.add(op.getValue().at("/requestBody/content/application~1json/schema"));
        op.getValue()
            .path("responses")
            .forEach(r -> bodies.add(r.at("/content/application~1json/schema")));
        for (JsonNode b : bodies) {
          if (b.has("properties") && !b.has("title")) {
            untitled.add(id);
          }
        }
      }
    }
    assertThat(untitled).as("operations with an inline object body without a title").isEmpty();
  }

  /**
   * Answers that extend another (a session just started, a credential after a change) repeat it
   * exactly, plus their own fields.
   */
  @Test
  void extendedAnswersRepeatTheirBaseExactly() throws IOException {
    JsonNode schemas = document().at("/components/schemas");
    Map<String, List<String>> extensions =
        Map.of(
            "StartedSession", List.of("Session", "sessionToken"),
            "CredentialChange", List.of("Credential", "affectedSessions"));
    for (Map.Entry<String, List<String>> e : extensions.entrySet()) {
      JsonNode derived = schemas.get(e.getKey());
      JsonNode base = schemas.get(e.getValue().get(0));
      String extra = e.getValue().get(1);
      com.fasterxml.jackson.databind.node.ObjectNode props = derived.get("properties").deepCopy();
      props.remove(extra);
      assertThat(props)
          .as(e.getKey() + " has the properties of " + e.getValue().get(0) + " plus " + extra)
          .isEqualTo(base.get("properties"));
      List<String> required = new java.util.ArrayList<>();
      derived.get("required").forEach(n -> required.add(n.asText()));
      required.remove(extra);
      List<String> baseRequired = new java.util.ArrayList<>();
      base.get("required").forEach(n -> baseRequired.add(n.asText()));
      assertThat(required)
          .as(e.getKey() + " requires what " + e.getValue().get(0) + " requires")
          .isEqualTo(baseRequired);
    }
  }

  private static void collectRefs(JsonNode node, JsonNode doc, String where) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null) {
        String pointer = ref.asText().substring(1);
        assertThat(doc.at(pointer).isMissingNode())
            .as(where + ": " + ref.asText() + " resolves")
            .isFalse();
      }
      node.elements().forEachRemaining(n -> collectRefs(n, doc, where));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(n -> collectRefs(n, doc, where));
    }
  }

  @Test
  void documentIsServedAtApiV1OpenapiJson() throws IOException {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      HttpResponse<String> res = k.get("/api/v1/openapi.json", null);
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(res.body())).isEqualTo(document());
    }
  }
}
