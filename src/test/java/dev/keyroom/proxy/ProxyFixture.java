package dev.keyroom.proxy;

import dev.keyroom.app.Config;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A running Keyroom whose six proxied providers all point at one fake upstream, a tenant with a
 * canary key per provider, a workroom with every proxied tool, and a live session's placeholders.
 */
final class ProxyFixture implements AutoCloseable {
  static final List<String> PROVIDERS =
      List.of("gemini", "openai", "anthropic", "elevenlabs", "heygen", "firecrawl");

  final FakeUpstream upstream;
  final TestKeyroom k;
  final Tenancy.Founded tenant;
  final Map<String, String> keys = new LinkedHashMap<>();
  final Map<String, CredentialId> secrets = new LinkedHashMap<>();
  final Workroom workroom;
  final Sessions.Started session;
  final Map<String, String> placeholders;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ProxyFixture(Path dir) {
    this(dir, new FakeUpstream(), c -> c);
  }

  ProxyFixture(Path dir, FakeUpstream upstream, UnaryOperator<Config> adjust) {
    this.upstream = upstream;
    Config base = TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir));
    for (String p : PROVIDERS) {
      base = base.withUpstream(p, upstream.url());
    }
    this.k = TestKeyroom.start(adjust.apply(base), UnaryOperator.identity());
    this.tenant = k.tenant("acme");
    CredentialScope scope = CredentialScope.tenantSecrets(tenant.tenant().id());
    List<Workroom.Tool> tools = new ArrayList<>();
    for (String p : PROVIDERS) {
      String key =
          "canary-" + p + "-REALKEY-" + Long.toHexString(System.nanoTime()) + "-0123456789";
      keys.put(p, key);
      CredentialId id =
          new CredentialId(
              k.keyroom
                  .vault()
                  .create(scope, p, p + "-prod", SecretValue.ofUtf8(key), "test")
                  .id());
      secrets.put(p, id);
      tools.add(new Workroom.Tool(p, id));
    }
    this.workroom = k.keyroom.workrooms().create(tenant.tenant().id(), "studio", tools, "test");
    k.addMember(tenant.tenant().id(), workroom.id(), tenant.admin().id());
    this.session =
        k.keyroom
            .sessions()
            .start(
                tenant.tenant().id(),
                workroom.id(),
                tenant.admin().id(),
                dev.keyroom.session.StartedBy.SELF,
                "test");
    this.placeholders =
        k.keyroom.sessions().placeholders(tenant.tenant().id(), session.session().id());
  }

  String proxyUrl(String provider) {
    return k.url() + "/proxy/" + provider;
  }

  String adminToken() {
    return tenant.adminToken().token();
  }

  /** Sends a request through the proxy with the given headers ("Name", "value", …). */
  HttpResponse<String> send(String method, String providerPath, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(k.url() + providerPath)).timeout(Duration.ofSeconds(30));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the usage writer has written {@code rows} rows (of every tenant). */
  void awaitUsage(int rows) {
    k.awaitUsageRows(null, rows);
  }

  @Override
  public void close() {
    k.close();
    upstream.close();
  }
}
