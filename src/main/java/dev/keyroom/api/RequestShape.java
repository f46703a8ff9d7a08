package dev.keyroom.api;

import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.error.UnsupportedMediaTypeException;
import io.javalin.http.Context;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.EofException;

/**
 * Rules every request meets before any route reads it, and the translation of malformed input that
 * surfaces later (while a body is read) into a 4xx that names the rule. Without them a charset the
 * JVM does not know, a broken percent-escape or broken body framing came out of Jetty or the JDK as
 * an exception, and so as a 500.
 */
public final class RequestShape {
  /** The rule broken by a body whose framing is wrong (chunked encoding, Content-Length). */
  public static final String BODY_FRAMING =
      "request body is malformed: it ended before its declared Content-Length,"
          + " or its chunked transfer encoding is invalid (e.g. an over-long chunk header)";

  static final String CHARSET =
      "Content-Type: the charset parameter names no charset this server knows;"
          + " send UTF-8 (or no charset)";
  static final String PERCENT =
      "path: every '%' must start a percent-escape of two hex digits (e.g. %2F)";

  private RequestShape() {}

  /** Refuses a request whose charset or path escapes cannot be decoded. */
  static void check(Context ctx) {
    try {
      ctx.req().getCharacterEncoding();
      ctx.req().getContentType();
    } catch (IllegalArgumentException e) {
      throw new UnsupportedMediaTypeException(CHARSET);
    }
    String raw = ctx.req().getRequestURI();
    if (raw != null && !wellFormedEscapes(raw)) {
      throw new InvalidInputException(null, PERCENT);
    }
  }

  /** The client-side failure {@code e} stands for, or null when it is a failure of ours. */
  public static KeyroomException explain(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KeyroomException k) {
        return k;
      }
      if (t instanceof BadMessageException || t instanceof EofException) {
        return new InvalidInputException(null, BODY_FRAMING);
      }
      if (t instanceof UnsupportedCharsetException || t instanceof IllegalCharsetNameException) {
        return new UnsupportedMediaTypeException(CHARSET);
      }
    }
    return null;
  }

  static boolean wellFormedEscapes(String path) {
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '%') {
        if (i + 2 >= path.length()
            || Character.digit(path.charAt(i + 1), 16) < 0
            || Character.digit(path.charAt(i + 2), 16) < 0) {
          return false;
        }
        i += 2;
      }
    }
    return true;
  }
}
