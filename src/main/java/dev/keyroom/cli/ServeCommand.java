package dev.keyroom.cli;

import dev.keyroom.app.Config;
import dev.keyroom.app.Keyroom;
import dev.keyroom.tenancy.Tenancy;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keyroom serve}: runs the server until interrupted. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run Keyroom (API, proxy, UI) on one port.")
final class ServeCommand implements Runnable {
  @Mixin StoreOptions store;

  @Option(names = "--port", description = "TCP port (KEYROOM_PORT, default 8080)")
  String port;

  @Option(names = "--bind", description = "listen address (KEYROOM_BIND, default 127.0.0.1)")
  String bind;

  @Option(
      names = "--public-url",
      description = "URL workrooms use to reach Keyroom (KEYROOM_PUBLIC_URL)")
  String publicUrl;

  @Option(
      names = "--proxy-port",
      description =
          "a listener for the provider proxy alone; empty shares the main port (KEYROOM_PROXY_PORT)")
  String proxyPort;

  @Option(
      names = "--proxy-public-url",
      description = "URL workrooms use to reach the proxy (KEYROOM_PROXY_PUBLIC_URL)")
  String proxyPublicUrl;

  @Option(
      names = "--proxy-connect-timeout",
      description = "e.g. 10s (KEYROOM_PROXY_CONNECT_TIMEOUT)")
  String proxyConnectTimeout;

  @Option(names = "--proxy-read-timeout", description = "e.g. 300s (KEYROOM_PROXY_READ_TIMEOUT)")
  String proxyReadTimeout;

  @Option(
      names = "--proxy-grant-ttl",
      description = "e.g. 5s; 0 checks every request (KEYROOM_PROXY_GRANT_TTL)")
  String proxyGrantTtl;

  @Option(
      names = "--proxy-max-concurrent-per-session",
      description = "e.g. 64 (KEYROOM_PROXY_MAX_CONCURRENT_PER_SESSION)")
  String proxyMaxConcurrentPerSession;

  @Option(
      names = "--proxy-max-concurrent-per-tenant",
      description = "e.g. 512 (KEYROOM_PROXY_MAX_CONCURRENT_PER_TENANT)")
  String proxyMaxConcurrentPerTenant;

  @Option(
      names = "--proxy-upstream-connections",
      description = "e.g. 4096 (KEYROOM_PROXY_UPSTREAM_CONNECTIONS)")
  String proxyUpstreamConnections;

  @Option(
      names = "--prices-file",
      description =
          "JSON prices laid over the shipped price catalogue; e.g. /etc/keyroom/prices.json"
              + " (KEYROOM_PRICES_FILE)")
  String pricesFile;

  @Option(
      names = "--usage-queue",
      description =
          "usage records waiting to be written, at most; e.g. 10000 (KEYROOM_USAGE_QUEUE)")
  String usageQueue;

  @Option(
      names = "--session-event-streams-per-session",
      description = "e.g. 4 (KEYROOM_SESSION_EVENT_STREAMS_PER_SESSION)")
  String sessionEventStreamsPerSession;

  @Option(
      names = "--session-event-streams-per-tenant",
      description = "e.g. 256 (KEYROOM_SESSION_EVENT_STREAMS_PER_TENANT)")
  String sessionEventStreamsPerTenant;

  @Option(names = "--session-max-lifetime", description = "e.g. 12h (KEYROOM_SESSION_MAX_LIFETIME)")
  String sessionMaxLifetime;

  @Option(names = "--session-idle-timeout", description = "e.g. 2h (KEYROOM_SESSION_IDLE_TIMEOUT)")
  String sessionIdleTimeout;

  @Option(names = "--oauth-refresh-ahead", description = "e.g. 5m (KEYROOM_OAUTH_REFRESH_AHEAD)")
  String oauthRefreshAhead;

  @Option(
      names = "--oauth-refresh-interval",
      description = "e.g. 60s; 0 turns it off (KEYROOM_OAUTH_REFRESH_INTERVAL)")
  String oauthRefreshInterval;

  @Option(
      names = "--git-api-url",
      description = "git host API for the git-token test (KEYROOM_GIT_API_URL)")
  String gitApiUrl;

  @Option(
      names = "--upstream",
      paramLabel = "PROVIDER=URL",
      description =
          "override a provider's upstream base URL, repeatable (KEYROOM_UPSTREAM_<PROVIDER>)")
  Map<String, String> upstreams;

  /** Every setting given on the command line, by flag name (store options included). */
  Map<String, String> flags() {
    Map<String, String> extra = new HashMap<>();
    if (port != null) extra.put("port", port);
    if (bind != null) extra.put("bind", bind);
    if (publicUrl != null) extra.put("public-url", publicUrl);
    if (proxyPort != null) extra.put("proxy-port", proxyPort);
    if (proxyPublicUrl != null) extra.put("proxy-public-url", proxyPublicUrl);
    if (proxyConnectTimeout != null) extra.put("proxy-connect-timeout", proxyConnectTimeout);
    if (proxyReadTimeout != null) extra.put("proxy-read-timeout", proxyReadTimeout);
    if (proxyGrantTtl != null) extra.put("proxy-grant-ttl", proxyGrantTtl);
    if (proxyMaxConcurrentPerSession != null)
      extra.put("proxy-max-concurrent-per-session", proxyMaxConcurrentPerSession);
    if (proxyMaxConcurrentPerTenant != null)
      extra.put("proxy-max-concurrent-per-tenant", proxyMaxConcurrentPerTenant);
    if (proxyUpstreamConnections != null)
      extra.put("proxy-upstream-connections", proxyUpstreamConnections);
    if (pricesFile != null) extra.put("prices-file", pricesFile);
    if (usageQueue != null) extra.put("usage-queue", usageQueue);
    if (sessionEventStreamsPerSession != null)
      extra.put("session-event-streams-per-session", sessionEventStreamsPerSession);
    if (sessionEventStreamsPerTenant != null)
      extra.put("session-event-streams-per-tenant", sessionEventStreamsPerTenant);
    if (sessionMaxLifetime != null) extra.put("session-max-lifetime", sessionMaxLifetime);
    if (sessionIdleTimeout != null) extra.put("session-idle-timeout", sessionIdleTimeout);
    if (oauthRefreshAhead != null) extra.put("oauth-refresh-ahead", oauthRefreshAhead);
    if (oauthRefreshInterval != null) extra.put("oauth-refresh-interval", oauthRefreshInterval);
    if (gitApiUrl != null) extra.put("git-api-url", gitApiUrl);
    if (upstreams != null)
      upstreams.forEach((provider, url) -> extra.put("upstream-" + provider, url));
    Map<String, String> all = store.flags();
    all.putAll(extra);
    return all;
  }

  @Override
  public void run() {
    // The logger is taken here, not in a static field: picocli builds every command for each
    // invocation, and a static one would start logging for `keyroom --help` and every CLI command.
    Logger log = LoggerFactory.getLogger(ServeCommand.class);
    Config config = store.config(flags(), "info");
    log.info("configuration: {}", config.describe());
    Keyroom keyroom = Keyroom.open(config);
    bootstrap(keyroom, System.out);
    keyroom.startHttp();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down");
                  keyroom.close();
                  stop.countDown();
                },
                "keyroom-shutdown"));
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * On the first start with an empty store: a first tenant and admin; the API token and a web
   * one-time password are printed once.
   */
  static void bootstrap(Keyroom keyroom, PrintStream out) {
    Tenancy tenancy = keyroom.tenancy();
    if (!tenancy.isEmpty()) {
      return;
    }
    Tenancy.Founded f = tenancy.createTenant("default", "admin", "system:first-start");
    out.println("Keyroom created tenant 'default' and its first admin 'admin'.");
    out.println("Admin API token (shown once, never again; Keyroom keeps only its hash):");
    out.println();
    out.println("  " + f.adminToken().token());
    out.println();
    out.println(
        "Log the command line in with it: keyroom login   (paste the token at the prompt; it is not echoed)");
    out.println();
    String oneTime =
        new dev.keyroom.web.Passwords(keyroom.db(), tenancy, keyroom.audit(), keyroom.clock())
            .setOneTime(f.tenant().id(), f.admin().id(), "system:first-start");
    out.println(
        "Web sign-in at /signin: organisation 'default', user 'admin', one-time password (shown once;");
    out.println("you choose your own at the first sign-in):");
    out.println();
    out.println("  " + oneTime);
    out.println();
    out.flush();
  }
}
