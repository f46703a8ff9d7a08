package dev.keyroom.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.IOException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Finds usage fields in a JSON document as its bytes stream past, without holding the document: a
 * non-blocking parser is fed chunk by chunk and only the wanted fields' values (a few hundred
 * bytes) are kept. A response of any size is metered in constant memory.
 */
final class JsonUsageScanner {
  static final Set<String> WANTED =
      Set.of("usage", "usageMetadata", "creditsUsed", "credits_used", "model", "modelVersion");

  /**
   * Usage blocks and the answering model's name sit near the top: {@code usage}, {@code
   * message.usage}, {@code data.metadata.creditsUsed}, {@code model}, {@code message.model}, {@code
   * response.model}, {@code modelVersion}.
   */
  private static final int MAX_DEPTH = 3;

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final BiConsumer<String, JsonNode> sink;
  private final JsonParser parser;
  private final ByteArrayFeeder feeder;
  private int depth;
  private String pendingName;
  private TokenBuffer capture;
  private String captureName;
  private int captureDepth;
  private boolean broken;

  JsonUsageScanner(BiConsumer<String, JsonNode> sink) {
    this.sink = sink;
    try {
      this.parser = FACTORY.createNonBlockingByteArrayParser();
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a JSON parser", e);
    }
    this.feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
  }

  void feed(byte[] b, int off, int len) {
    if (broken || len == 0) {
      return;
    }
    try {
      feeder.feedInput(b, off, off + len);
      drain();
    } catch (IOException e) {
      // Not JSON after all (or truncated): usage is simply not read from this body.
      broken = true;
    }
  }

  void end() {
    if (broken) {
      return;
    }
    feeder.endOfInput();
    try {
      drain();
    } catch (IOException e) {
      broken = true;
    }
  }

  private void drain() throws IOException {
    JsonToken t;
    while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
      on(t);
    }
  }

  private void on(JsonToken t) throws IOException {
    if (capture != null) {
      capture.copyCurrentEvent(parser);
      depth += t.isStructStart() ? 1 : t.isStructEnd() ? -1 : 0;
      if (depth == captureDepth) {
        JsonNode node = MAPPER.readTree(capture.asParser());
        capture = null;
        sink.accept(captureName, node);
      }
      return;
    }
    if (pendingName != null) {
      String name = pendingName;
      pendingName = null;
      if (t.isNumeric()) {
        sink.accept(name, JsonNodeFactory.instance.numberNode(parser.getDecimalValue()));
        return;
      }
      if (t == JsonToken.VALUE_STRING) {
        sink.accept(name, JsonNodeFactory.instance.textNode(parser.getText()));
        return;
      }
      if (t == JsonToken.START_OBJECT) {
        capture = new TokenBuffer(parser, null);
        capture.copyCurrentEvent(parser);
        captureName = name;
        captureDepth = depth;
        depth++;
        return;
      }
    }
    if (t.isStructStart()) {
      depth++;
    } else if (t.isStructEnd()) {
      depth--;
    } else if (t == JsonToken.FIELD_NAME
        && depth <= MAX_DEPTH
        && WANTED.contains(parser.currentName())) {
      pendingName = parser.currentName();
    }
  }
}
