package dev.keyroom.web;

import dev.keyroom.api.CredentialHeader;
import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.proxy.ProviderProxy;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.ResolvedCredential;
import dev.keyroom.vault.Vault;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;

/**
 * "Test key": the catalog's cheap call for the kind (e.g. list one model), sent to the upstream
 * the proxy is configured with, the key in the catalog's header (never in the URL). Only the
 * status and the time taken come back; the response body is discarded unread.
 */
final class CatalogKeyTest implements KeyTester {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final Catalog catalog;
  private final Vault vault;
  private final ProviderProxy proxy;
  private final AuditLog audit;
  private final Clock clock;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER).build();

  CatalogKeyTest(Catalog catalog, Vault vault, ProviderProxy proxy, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.vault = vault;
    this.proxy = proxy;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public Result test(WebUser user, CredentialInfo c) {
    CredentialKind kind = catalog.require(c.kind(), "kind");
    if (!kind.isProxied() || kind.proxy().test() == null) {
      return new Result(c.id(), false, kind.displayName() + " has no test call; the key is checked when a session uses it.");
    }
    URI base = proxy.upstreams().get(kind.id());
    String path = kind.proxy().test().path();
    URI target = URI.create(base.toString().replaceAll("/+$", "") + path);
    if (!target.getHost().equalsIgnoreCase(base.getHost())) {
      throw new IllegalStateException("test call of " + kind.id() + " leaves its upstream");
    }
    long started = clock.millis();
    int status;
    String outcome;
    ResolvedCredential key = vault.resolve(CredentialScope.tenantSecrets(user.tenant()), new CredentialId(c.id()), null);
    try {
      HttpRequest req = HttpRequest.newBuilder(target).timeout(TIMEOUT)
          .method(kind.proxy().test().method(), HttpRequest.BodyPublishers.noBody())
          .header(kind.proxy().keyHeader(), CredentialHeader.value(c.id(), kind.proxy().keyFormat(), key.value()))
          .build();
      status = client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
      outcome = status >= 200 && status < 300 ? "ok" : status == 401 || status == 403 ? "refused" : "upstream_error";
    } catch (HttpTimeoutException e) {
      status = 0;
      outcome = "timeout";
    } catch (IOException e) {
      status = 0;
      outcome = "unreachable";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = 0;
      outcome = "interrupted";
    } finally {
      key.value().destroy();
    }
    long ms = clock.millis() - started;
    audit.record(user.tenant(), AuditEvent.of(user.auditName(), "secret.test").target("credential", c.id())
        .with("kind", kind.id()).with("status", status).with("outcome", outcome));
    String who = kind.displayName();
    return switch (outcome) {
      case "ok" -> new Result(c.id(), true, "Key works: " + who + " answered " + status + " in " + ms + " ms.");
      case "refused" -> new Result(c.id(), false, who + " refused this key (" + status + "). Replace it with a valid key.");
      case "timeout" -> new Result(c.id(), false, who + " did not answer within " + TIMEOUT.toSeconds() + " s. Try again later.");
      case "unreachable" -> new Result(c.id(), false, "Could not reach " + who + " at " + base.getHost() + ". Check the network.");
      case "interrupted" -> new Result(c.id(), false, "The test was interrupted. Try again.");
      default -> new Result(c.id(), false, who + " answered " + status + "; the key may be fine but the provider had a problem.");
    };
  }
}
