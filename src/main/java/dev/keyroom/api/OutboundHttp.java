package dev.keyroom.api;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * A JDK HTTP client for Keyroom's own calls out (OAuth token endpoints, git hosts, key tests):
 * redirects never followed, built on first use. Building one sets up TLS, a visible share of a
 * server's start, and most servers make few or none of these calls.
 */
public final class OutboundHttp {
  private final Duration connectTimeout;
  private HttpClient client;

  public OutboundHttp(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  public synchronized HttpClient client() {
    if (client == null) {
      client =
          HttpClient.newBuilder()
              .connectTimeout(connectTimeout)
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
    }
    return client;
  }
}
