package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyroom.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonReader} (what the CLI reads Keyroom's answers with) builds the tree Jackson's {@code
 * readTree} builds from every object Jackson writes — any string, escaped as Jackson escapes it or
 * as {@code \\uXXXX} throughout, any number, nested arrays and objects — and {@code strings} (what
 * {@code git-credential} reads) its string members; and it reads nothing from what is not one whole
 * value: no prefix of a document, no trailing bytes, no duplicate name.
 */
class JsonReaderProperties {
  @Property(tries = 300)
  void readsTheStringMembersJacksonWrote(
      @ForAll("objects") ObjectNode object, @ForAll boolean escapeNonAscii) throws Exception {
    byte[] json = write(object, escapeNonAscii);
    Map<String, String> expected = new HashMap<>();
    object
        .properties()
        .forEach(
            e -> {
              if (e.getValue().isTextual()) {
                expected.put(e.getKey(), e.getValue().textValue());
              }
            });
    assertThat(JsonReader.strings(json)).isEqualTo(expected);
    assertThat(JsonReader.tree(json)).isEqualTo(Json.MAPPER.readTree(json));
  }

  @Test
  void numbersAreTheNodesReadTreeMakes() throws Exception {
    for (String n :
        List.of(
            "0",
            "-0",
            "7",
            "-2147483648",
            "2147483648",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "123456789012345678901234567890",
            "1.5",
            "-0.0",
            "1e3",
            "2.5E-7")) {
      byte[] json = ("[" + n + "]").getBytes(StandardCharsets.UTF_8);
      JsonNode expected = Json.MAPPER.readTree(json);
      assertThat(JsonReader.tree(json)).as(n).isEqualTo(expected);
      assertThat(JsonReader.tree(json).get(0).getClass())
          .as(n)
          .isEqualTo(expected.get(0).getClass());
    }
  }

  @Property(tries = 100)
  void noProperPrefixOfADocumentReadsAsAnything(@ForAll("objects") ObjectNode object)
      throws Exception {
    byte[] json = write(object, false);
    for (int n = 0; n < json.length; n++) {
      byte[] prefix = java.util.Arrays.copyOf(json, n);
      assertThat(JsonReader.strings(prefix)).as("prefix of %d bytes", n).isEmpty();
      assertThat(JsonReader.tree(prefix)).as("prefix of %d bytes", n).isNull();
    }
  }

  @Test
  void whatIsNotOneObjectReadsAsNothing() {
    for (String bad :
        List.of(
            "",
            "null",
            "[]",
            "\"x\"",
            "{\"password\":\"p\"} x",
            "{\"password\":\"p\"}{}",
            "{\"password\":\"a\",\"password\":\"b\"}",
            "{\"password\":'p'}",
            "{\"password\":\"p\",}",
            "{\"p\":01}",
            "{\"p\":\"\\x\"}",
            "{\"p\":\"\\u12\"}",
            "{\"p\":\"a\nb\"}",
            "<html>502</html>",
            "{\"a\":" + "[".repeat(40) + "]".repeat(40) + ",\"password\":\"p\"}")) {
      assertThat(JsonReader.strings(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isEmpty();
    }
    assertThat(JsonReader.strings(new byte[] {'{', '"', 'p', '"', ':', '"', (byte) 0xC3, '"', '}'}))
        .as("broken UTF-8")
        .isEmpty();
  }

  @Test
  void keyroomsAnswerReads() {
    assertThat(
            JsonReader.strings(
                " {\"username\":\"x-access-token\",\"password\":\"ghp_\\u00e9\\\"\\\\/\",\"n\":1.5e3,\"b\":[true,null,{}]}\n"
                    .getBytes(StandardCharsets.UTF_8)))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("username", "x-access-token", "password", "ghp_é\"\\/"));
  }

  private static byte[] write(JsonNode node, boolean escapeNonAscii) throws Exception {
    ObjectWriter w = Json.MAPPER.writer();
    return (escapeNonAscii ? w.with(JsonWriteFeature.ESCAPE_NON_ASCII) : w).writeValueAsBytes(node);
  }

  @Provide
  Arbitrary<ObjectNode> objects() {
    Arbitrary<String> text =
        Arbitraries.strings()
            .all()
            .ofMaxLength(24)
            .filter(
                t -> t.codePoints().noneMatch(c -> Character.isSurrogate((char) c) && c <= 0xFFFF));
    Arbitrary<JsonNode> leaf =
        Arbitraries.oneOf(
            text.map(JsonNodeFactory.instance::textNode),
            Arbitraries.longs().map(JsonNodeFactory.instance::numberNode),
            Arbitraries.doubles()
                .filter(Double::isFinite)
                .map(JsonNodeFactory.instance::numberNode),
            Arbitraries.of(
                JsonNodeFactory.instance.booleanNode(true), JsonNodeFactory.instance.nullNode()));
    Arbitrary<JsonNode> nested =
        leaf.list()
            .ofMaxSize(3)
            .map(
                l -> {
                  var a = JsonNodeFactory.instance.arrayNode();
                  l.forEach(a::add);
                  var o = JsonNodeFactory.instance.objectNode();
                  o.set("inner", a);
                  o.put("s", "nested \" string");
                  return (JsonNode) o;
                });
    Arbitrary<JsonNode> value =
        Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, leaf), net.jqwik.api.Tuple.of(1, nested));
    return Combinators.combine(text, value)
        .as(Map::entry)
        .list()
        .ofMaxSize(6)
        .map(
            entries -> {
              ObjectNode o = JsonNodeFactory.instance.objectNode();
              entries.forEach(e -> o.set(e.getKey(), e.getValue()));
              return o;
            });
  }
}
