package dev.keyroom.proxy;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * The caller's request body as the upstream request's body: read from the caller's connection as
 * the upstream connection takes it, never held whole. Keeps the caller's Content-Length, when it
 * sent one, so the upstream sees a fixed-length body rather than a chunked one; counts the bytes
 * that passed; and remembers when the caller's framing was broken (a chunked body cut short or
 * malformed, a body shorter than its Content-Length), which is the caller's error, not the
 * upstream's.
 */
final class ClientBody implements org.eclipse.jetty.client.Request.Content {
  private final Request from;
  private final String contentType;
  private final long length;
  private volatile long bytes;
  private volatile Throwable framing;

  ClientBody(Request from, String contentType, long length) {
    this.from = from;
    this.contentType = contentType == null ? "application/octet-stream" : contentType;
    this.length = length;
  }

  @Override
  public String getContentType() {
    return contentType;
  }

  @Override
  public long getLength() {
    return length;
  }

  @Override
  public Content.Chunk read() {
    Content.Chunk chunk = from.read();
    if (chunk != null) {
      if (Content.Chunk.isFailure(chunk)) {
        framing = chunk.getFailure();
      } else {
        bytes += chunk.remaining();
      }
    }
    return chunk;
  }

  @Override
  public void demand(Runnable demandCallback) {
    from.demand(demandCallback);
  }

  @Override
  public void fail(Throwable failure) {
    from.fail(failure);
  }

  @Override
  public boolean rewind() {
    return false;
  }

  /** Bytes of the caller's body that were read so far. */
  long bytes() {
    return bytes;
  }

  /** Why reading the caller's body failed, or null. */
  Throwable framing() {
    return framing;
  }
}
