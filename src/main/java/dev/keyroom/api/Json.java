package dev.keyroom.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.error.PayloadTooLargeException;
import dev.keyroom.error.UnsupportedMediaTypeException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Collectors;

/**
 * Strict JSON in and out. Unknown fields, wrong types, trailing garbage and oversized bodies are a
 * 4xx whose message names the field and the rule — Jackson's own messages quote the offending
 * input, which may be a secret, so they are never passed on.
 */
public final class Json {
  /** Largest request body accepted anywhere in the API. */
  public static final int MAX_BODY_BYTES = 512 * 1024;

  /** How much of an oversize body is read and discarded so the client reliably sees the 413. */
  static final long DISCARD_LIMIT_BYTES = 8L * 1024 * 1024;

  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .serializationInclusion(JsonInclude.Include.ALWAYS)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
    MAPPER
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
  }

  private Json() {}

  /** Reads the request body as {@code type}; requires {@code application/json}. */
  public static <T> T read(Context ctx, Class<T> type) {
    return read(ctx, type, false);
  }

  private static <T> T read(Context ctx, Class<T> type, boolean nullAllowed) {
    String contentType = ctx.contentType();
    if (contentType == null
        || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new UnsupportedMediaTypeException("request body must be application/json");
    }
    byte[] body = readBounded(ctx);
    if (body.length == 0) {
      throw new InvalidInputException(null, "request body is empty; a JSON object is required");
    }
    try {
      T value = MAPPER.readValue(body, type);
      if (value == null && !nullAllowed) {
        throw new InvalidInputException(null, "request body must be a JSON object, not null");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidInputException(
          path(e),
          "unknown field; allowed fields are "
              + e.getKnownPropertyIds().stream()
                  .map(Object::toString)
                  .sorted()
                  .collect(Collectors.joining(", ")));
    } catch (InvalidNullException e) {
      throw new InvalidInputException(path(e), "must not be null");
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof KeyroomException k) {
        throw k;
      }
      throw new InvalidInputException(path(e), "has an invalid value");
    } catch (MismatchedInputException e) {
      String p = path(e);
      if (p == null) {
        throw new InvalidInputException(
            null, "request body must be a JSON object of the documented shape");
      }
      throw new InvalidInputException(
          p, "has the wrong type; expected " + typeName(e.getTargetType()));
    } catch (JsonParseException e) {
      throw new InvalidInputException(
          null,
          "request body is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    } catch (JsonMappingException e) {
      throw new InvalidInputException(path(e), "cannot be read as the documented type");
    } catch (IOException e) {
      throw new InvalidInputException(null, "request body could not be read as JSON");
    }
  }

  /**
   * Reads the body if there is one; otherwise, or when it is JSON {@code null} (what generated
   * clients send for an optional body left unset), returns {@code fallback}.
   */
  public static <T> T readOptional(Context ctx, Class<T> type, T fallback) {
    String len = ctx.header("Content-Length");
    boolean chunked = ctx.header("Transfer-Encoding") != null;
    if ((len == null || "0".equals(len)) && !chunked) {
      return fallback;
    }
    T value = read(ctx, type, true);
    return value == null ? fallback : value;
  }

  public static void write(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "response is not serialisable: " + e.getClass().getSimpleName());
    }
  }

  private static byte[] readBounded(Context ctx) {
    String len = ctx.header("Content-Length");
    long declared = -1;
    if (len != null) {
      try {
        declared = Long.parseLong(len.trim());
      } catch (NumberFormatException e) {
        throw new InvalidInputException(null, "Content-Length is not a number");
      }
    }
    try (InputStream in = ctx.req().getInputStream()) {
      if (declared > MAX_BODY_BYTES) {
        throw tooLarge(ctx, in, 0);
      }
      byte[] data = in.readNBytes(MAX_BODY_BYTES + 1);
      if (data.length > MAX_BODY_BYTES) {
        throw tooLarge(ctx, in, data.length);
      }
      return data;
    } catch (IOException e) {
      // The client's framing failed (a chunked body cut short or malformed, a body shorter than
      // its Content-Length): its fault, and said so.
      throw new InvalidInputException(null, RequestShape.BODY_FRAMING);
    }
  }

  /**
   * An oversize body is read and discarded (up to {@link #DISCARD_LIMIT_BYTES}) before the 413 is
   * sent: answering while the client is still sending made the server close a connection with
   * unread data, and the client then saw a reset instead of the 413. Past the bound the connection
   * is closed after the answer.
   */
  private static PayloadTooLargeException tooLarge(Context ctx, InputStream in, long alreadyRead) {
    long read = alreadyRead;
    byte[] sink = new byte[64 * 1024];
    try {
      int n;
      while (read < DISCARD_LIMIT_BYTES
          && (n = in.read(sink, 0, (int) Math.min(sink.length, DISCARD_LIMIT_BYTES - read))) >= 0) {
        read += n;
      }
      if (read >= DISCARD_LIMIT_BYTES) {
        ctx.header("Connection", "close");
      }
    } catch (IOException e) {
      ctx.header(
          "Connection", "close"); // the client stopped sending; the 413 still goes out if it can
    }
    return tooLarge();
  }

  private static PayloadTooLargeException tooLarge() {
    return new PayloadTooLargeException(
        "request body must be at most " + MAX_BODY_BYTES + " bytes");
  }

  private static String path(JsonMappingException e) {
    if (e.getPath() == null || e.getPath().isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (!sb.isEmpty()) sb.append('.');
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.isEmpty() ? null : sb.toString();
  }

  private static String typeName(Class<?> t) {
    if (t == null) return "another type";
    if (t == String.class) return "a string";
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class)
      return "an integer";
    if (t == Boolean.class || t == boolean.class) return "true or false";
    if (java.util.Collection.class.isAssignableFrom(t)) return "an array";
    if (t.isRecord() || java.util.Map.class.isAssignableFrom(t)) return "an object";
    return "another type";
  }
}
