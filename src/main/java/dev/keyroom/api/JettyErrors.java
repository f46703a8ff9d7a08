package dev.keyroom.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Requests Jetty rejects before they reach a route (an illegal URI, oversized headers) get the same
 * {@code {"error","message"}} shape as every other error — never an HTML page, never the offending
 * input.
 */
final class JettyErrors extends ErrorHandler {
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback)
      throws IOException {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, ByteBuffer.wrap(body(code)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status));
  }

  private static byte[] body(int status) {
    String text =
        switch (status) {
          case 400 ->
              "the request is malformed (illegal characters or encoding in the URI or headers)";
          case 404 -> "not found";
          case 413 -> "request body must be at most " + Json.MAX_BODY_BYTES + " bytes";
          case 414 -> "the request URI is too long";
          case 431 -> "the request headers are too large";
          default -> "request failed with status " + status;
        };
    String code =
        switch (status) {
          case 400 -> "invalid_request";
          case 404 -> "not_found";
          case 413 -> "payload_too_large";
          default -> status >= 500 ? "internal" : "error";
        };
    return ("{\"error\":\"" + code + "\",\"message\":\"" + text + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
