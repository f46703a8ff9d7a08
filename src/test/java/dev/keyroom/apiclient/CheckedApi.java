package dev.keyroom.apiclient;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyroom.testing.JsonResponses;
import dev.keyroom.testing.TestKeyroom;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * API calls against a running Keyroom whose every answer is checked against the OpenAPI document
 * (status documented, body matching its schema), remembering which operations answered with what.
 */
final class CheckedApi {
  private final TestKeyroom k;
  private final OpenApiContract contract;
  private final Map<String, Set<Integer>> answered = new TreeMap<>();
  private final List<String> violations = new ArrayList<>();

  CheckedApi(TestKeyroom k, OpenApiContract contract) {
    this.k = k;
    this.contract = contract;
  }

  /** Sends a request (JSON body or none), checks the answer against the document and returns it. */
  HttpResponse<String> send(String method, String path, String token, String jsonBody) {
    return check(method, path, k.send(method, path, token, jsonBody));
  }

  /**
   * Sends, expects {@code status}, checks the answer against the document; the body as JSON (null
   * when empty).
   */
  JsonNode call(String method, String path, String token, String jsonBody, int status) {
    return JsonResponses.ok(send(method, path, token, jsonBody), status);
  }

  JsonNode get(String path, String token) {
    return call("GET", path, token, null, 200);
  }

  /** Sends with extra request headers ("Name", "value", …). */
  HttpResponse<String> sendWithHeaders(
      String method, String path, String token, String... headers) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(k.url() + path))
              .timeout(Duration.ofSeconds(30))
              .method(method, HttpRequest.BodyPublishers.noBody());
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      for (int i = 0; i + 1 < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      return check(method, path, k.http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Checks an answer obtained elsewhere against the document and records it. */
  <T> HttpResponse<T> check(String method, String path, HttpResponse<T> res) {
    OpenApiContract.Operation op =
        contract
            .operation(method, path)
            .orElseThrow(
                () -> new AssertionError(method + " " + path + " is not a documented operation"));
    String body = res.body() instanceof String s ? s : null;
    String contentType = res.headers().firstValue("Content-Type").orElse(null);
    for (String v : contract.violations(op, res.statusCode(), contentType, body)) {
      violations.add(method + " " + path + ": " + v + "\n    answer: " + body);
    }
    answered.computeIfAbsent(op.id(), x -> new TreeSet<>()).add(res.statusCode());
    return res;
  }

  /**
   * Every field the document marks required in {@code body}'s request schema (nested objects and
   * array items too) is refused when it is missing: for each one, the body without it is a 400 (or
   * 403) and nothing else.
   */
  void requiredFieldsAreRefusedWhenMissing(String method, String path, String token, String body) {
    OpenApiContract.Operation op = contract.operation(method, path).orElseThrow();
    JsonNode schema = resolve(op.node().at("/requestBody/content/application~1json/schema"));
    assertThat(schema.isMissingNode()).as(op.id() + " documents a JSON request body").isFalse();
    JsonNode full = JsonResponses.parse(body);
    List<List<Object>> required = new ArrayList<>();
    collectRequired(schema, full, new ArrayList<>(), required);
    assertThat(required)
        .as(op.id() + ": the example body holds required fields to drop")
        .isNotEmpty();
    for (List<Object> field : required) {
      JsonNode without = full.deepCopy();
      JsonNode parent = without;
      for (Object step : field.subList(0, field.size() - 1)) {
        parent = step instanceof Integer i ? parent.get(i) : parent.get((String) step);
      }
      ((ObjectNode) parent).remove((String) field.get(field.size() - 1));
      HttpResponse<String> res = send(method, path, token, JsonResponses.json(without));
      assertThat(res.statusCode())
          .as(op.id() + " without required " + field + ": " + res.body())
          .isIn(400, 403);
    }
  }

  private void collectRequired(
      JsonNode schema, JsonNode value, List<Object> at, List<List<Object>> out) {
    schema = resolve(schema);
    if (value.isObject()) {
      for (JsonNode r : schema.path("required")) {
        if (value.has(r.asText())) {
          List<Object> field = new ArrayList<>(at);
          field.add(r.asText());
          out.add(field);
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode sub = schema.path("properties").path(f.getKey());
        if (!sub.isMissingNode()) {
          List<Object> next = new ArrayList<>(at);
          next.add(f.getKey());
          collectRequired(sub, f.getValue(), next, out);
        }
      }
    } else if (value.isArray()) {
      ArrayNode items = (ArrayNode) value;
      for (int i = 0; i < items.size(); i++) {
        List<Object> next = new ArrayList<>(at);
        next.add(i);
        collectRequired(schema.path("items"), items.get(i), next, out);
      }
    }
  }

  private JsonNode resolve(JsonNode schema) {
    while (schema.has("$ref")) {
      schema = contract.document().at(schema.get("$ref").asText().substring(1));
    }
    return schema;
  }

  /**
   * Every way an answer so far differed from the document (checked at the end, so one run shows
   * them all).
   */
  List<String> violations() {
    return violations;
  }

  /** Operation id → the statuses it answered with. */
  Map<String, Set<Integer>> answered() {
    return answered;
  }

  /** Documented operations that never answered with a 2xx here. */
  Set<String> withoutSuccess() {
    Set<String> out = new TreeSet<>();
    for (OpenApiContract.Operation op : contract.operations()) {
      if (answered.getOrDefault(op.id(), Set.of()).stream().noneMatch(s -> s >= 200 && s < 300)) {
        out.add(op.id());
      }
    }
    return out;
  }
}
