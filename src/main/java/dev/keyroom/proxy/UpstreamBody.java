package dev.keyroom.proxy;

import org.eclipse.jetty.client.OutputStreamRequestContent;

/**
 * A request body written by the proxy as it reads the client's, so an upload streams to the
 * upstream without being held. Keeps the client's Content-Length, when it sent one, so the upstream
 * sees a fixed-length body rather than a chunked one.
 */
final class UpstreamBody extends OutputStreamRequestContent {
  private final long length;

  UpstreamBody(String contentType, long length) {
    super(contentType == null ? "application/octet-stream" : contentType);
    this.length = length;
  }

  @Override
  public long getLength() {
    return length;
  }
}
