package dev.keyroom.proxy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.keyroom.api.CredentialHeader;
import dev.keyroom.api.OutboundHttp;
import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.ResolvedCredential;
import dev.keyroom.vault.Vault;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;

/**
 * "Test this key" for a tenant secret: the catalog's cheap call for its kind (e.g. list one model),
 * sent to the upstream the proxy is configured with, the key in the catalog's header (never in the
 * URL). Only the status and the time taken come back; the response body is discarded unread. Every
 * test is audited ({@code secret.test}).
 */
public final class KeyTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** How a test ended. */
  public enum Outcome {
    OK("ok"),
    REFUSED("refused"),
    UPSTREAM_ERROR("upstream_error"),
    TIMEOUT("timeout"),
    UNREACHABLE("unreachable"),
    INTERRUPTED("interrupted"),
    NO_TEST_CALL("no_test_call");

    private final String wire;

    Outcome(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }
  }

  /**
   * The outcome; {@code status} is the provider's HTTP status (0 when none came). The message never
   * holds the key.
   */
  public record Result(
      String credentialId,
      String kind,
      boolean ok,
      Outcome outcome,
      int status,
      long elapsedMs,
      String message) {}

  private final Catalog catalog;
  private final Vault vault;
  private final ProviderProxy proxy;
  private final AuditLog audit;
  private final Clock clock;
  private final OutboundHttp client = new OutboundHttp(TIMEOUT);

  public KeyTest(Catalog catalog, Vault vault, ProviderProxy proxy, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.vault = vault;
    this.proxy = proxy;
    this.audit = audit;
    this.clock = clock;
  }

  /** Tests the tenant secret {@code id} (404 when the tenant has none of that id). */
  public Result test(TenantId tenant, CredentialId id, String actor) {
    CredentialScope scope = CredentialScope.tenantSecrets(tenant);
    CredentialInfo c = vault.get(scope, id);
    CredentialKind kind = catalog.require(c.kind(), "kind");
    String who = kind.displayName();
    if (!kind.isProxied() || kind.proxy().test() == null) {
      return new Result(
          c.id(),
          c.kind(),
          false,
          Outcome.NO_TEST_CALL,
          0,
          0,
          who + " has no test call; the key is checked when a session uses it.");
    }
    URI base = proxy.upstreams().get(kind.id());
    URI target = URI.create(base.toString().replaceAll("/+$", "") + kind.proxy().test().path());
    if (!target.getHost().equalsIgnoreCase(base.getHost())) {
      throw new IllegalStateException("test call of " + kind.id() + " leaves its upstream");
    }
    long started = clock.millis();
    int status = 0;
    Outcome outcome;
    ResolvedCredential key = vault.resolve(scope, id, null);
    try {
      HttpRequest req =
          HttpRequest.newBuilder(target)
              .timeout(TIMEOUT)
              .method(kind.proxy().test().method(), HttpRequest.BodyPublishers.noBody())
              .header(
                  kind.proxy().keyHeader(),
                  CredentialHeader.value(c.id(), kind.proxy().keyFormat(), key.value()))
              .build();
      status = client.client().send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
      outcome =
          status >= 200 && status < 300
              ? Outcome.OK
              : status == 401 || status == 403 ? Outcome.REFUSED : Outcome.UPSTREAM_ERROR;
    } catch (HttpTimeoutException e) {
      outcome = Outcome.TIMEOUT;
    } catch (IOException e) {
      outcome = Outcome.UNREACHABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = Outcome.INTERRUPTED;
    } finally {
      key.value().destroy();
    }
    long ms = clock.millis() - started;
    audit.record(
        tenant,
        AuditEvent.of(actor, "secret.test")
            .target("credential", c.id())
            .with("kind", kind.id())
            .with("status", status)
            .with("outcome", outcome.wire()));
    String message =
        switch (outcome) {
          case OK -> "Key works: " + who + " answered " + status + " in " + ms + " ms.";
          case REFUSED -> who + " refused this key (" + status + "). Replace it with a valid key.";
          case TIMEOUT ->
              who + " did not answer within " + TIMEOUT.toSeconds() + " s. Try again later.";
          case UNREACHABLE ->
              "Could not reach " + who + " at " + base.getHost() + ". Check the network.";
          case INTERRUPTED -> "The test was interrupted. Try again.";
          default ->
              who + " answered " + status + "; the key may be fine but the provider had a problem.";
        };
    return new Result(c.id(), c.kind(), outcome == Outcome.OK, outcome, status, ms, message);
  }
}
