package dev.keyroom.proxy;

import dev.keyroom.app.Config;
import dev.keyroom.error.KeyroomException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.ContinueProtocolHandler;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler;
import org.eclipse.jetty.client.RedirectProtocolHandler;
import org.eclipse.jetty.client.WWWAuthenticationProtocolHandler;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Upstream base URLs, the one client that talks to them, and how their failures read. */
final class Upstreams {
  private Upstreams() {}

  /**
   * A provider's base URL: the catalog's https URL, or the configured override ({@code
   * KEYROOM_UPSTREAM_<PROVIDER>}). Never taken from a request.
   */
  static URI base(String provider, String url) {
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new Config.ConfigException(
          "upstream of '"
              + provider
              + "' is not a valid URL (KEYROOM_UPSTREAM_"
              + provider.toUpperCase(java.util.Locale.ROOT).replace('-', '_')
              + ")");
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new Config.ConfigException(
          "upstream of '"
              + provider
              + "' must be an http(s) URL with a host and no"
              + " user, query or fragment (KEYROOM_UPSTREAM_"
              + provider.toUpperCase(java.util.Locale.ROOT).replace('-', '_')
              + ")");
    }
    return uri;
  }

  /**
   * The one client for every provider: at most {@code maxConnections} open to each upstream (a
   * request beyond waits in a queue of 8,192, then fails), and no cookies, redirects or content
   * decoding of its own.
   */
  static HttpClient client(Duration connectTimeout, int maxConnections) {
    QueuedThreadPool threads = new QueuedThreadPool(200, 8);
    threads.setName("keyroom-upstream");
    threads.setDaemon(true);
    HttpClient c = new HttpClient();
    c.setExecutor(threads);
    c.setConnectTimeout(connectTimeout.toMillis());
    c.setFollowRedirects(false);
    c.setUserAgentField(null);
    c.setMaxConnectionsPerDestination(maxConnections);
    c.setMaxRequestsQueuedPerDestination(8192);
    c.setIdleTimeout(60_000);
    // No cookie store: one client serves every tenant, so a stored cookie would be replayed across
    // them.
    c.setHttpCookieStore(new HttpCookieStore.Empty());
    try {
      c.start();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start the upstream HTTP client: " + e.getClass().getName(), e);
    }
    // Both are filled in by start(). No transparent gzip: the proxy asks for identity so it can
    // meter
    // usage and scrub the key. No client-side handling of 401, 407, redirects, 100-continue or
    // upgrades: the provider's answer goes to the caller as it is.
    c.getContentDecoderFactories().clear();
    c.getProtocolHandlers().remove(ContinueProtocolHandler.NAME);
    c.getProtocolHandlers().remove(RedirectProtocolHandler.NAME);
    c.getProtocolHandlers().remove(WWWAuthenticationProtocolHandler.NAME);
    c.getProtocolHandlers().remove(ProxyAuthenticationProtocolHandler.NAME);
    c.getProtocolHandlers().remove("upgrade");
    return c;
  }

  /** A 502 or 504 naming the provider and host — never the path, query or any header. */
  static KeyroomException failure(
      String provider, URI base, Throwable cause, Duration readTimeout) {
    String where =
        "the "
            + provider
            + " upstream ("
            + base.getHost()
            + (base.getPort() > 0 ? ":" + base.getPort() : "")
            + ")";
    Throwable c = cause;
    for (int i = 0; c != null && i < 5; i++, c = c.getCause()) {
      if (c instanceof SocketTimeoutException) {
        return new GatewayTimeoutException(
            where + " did not accept a connection in time (proxy-connect-timeout)");
      }
      if (c instanceof TimeoutException) {
        return new GatewayTimeoutException(
            where + " sent nothing for " + readTimeout.toMillis() + " ms (proxy-read-timeout)");
      }
      if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
        return new BadGatewayException(
            "could not connect to " + where + ": connection refused or no route");
      }
      if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
        return new BadGatewayException("could not resolve the host of " + where);
      }
    }
    return new BadGatewayException(where + " failed: " + describe(cause));
  }

  /** The classes of a failure and its causes, outermost first: never their messages. */
  static String describeChain(Throwable t) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; t != null && i < 5; i++, t = t.getCause() == t ? null : t.getCause()) {
      s.append(i == 0 ? "" : " < ").append(t.getClass().getSimpleName());
    }
    return s.isEmpty() ? "unknown failure" : s.toString();
  }

  /** The failure's class only: messages of network errors can carry URLs. */
  static String describe(Throwable t) {
    return t == null ? "unknown failure" : t.getClass().getSimpleName();
  }
}
