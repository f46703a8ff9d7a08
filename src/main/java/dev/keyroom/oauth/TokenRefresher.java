package dev.keyroom.oauth;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.error.UnavailableException;
import dev.keyroom.store.Database;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.ResolvedCredential;
import dev.keyroom.vault.Vault;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes OAuth access tokens, one caller at a time per integration:
 *
 * <ul>
 *   <li>in one JVM, callers for the same integration share one refresh (single flight);
 *   <li>across Keyroom nodes on one database, a lease on the integration's row (compare-and-set
 *       with an expiry) admits one refresher; the others wait for the row's generation to move;
 *   <li>new tokens are saved (vault, same transaction as the metadata) before they are handed out;
 *       a rotated refresh token replaces the old one in that same transaction;
 *   <li>on {@code invalid_grant} the stored integration is read again first — another node may have
 *       refreshed it — and only then marked "needs reconnect", with an audit event;
 *   <li>transient failures (network, 5xx, 429) are retried with backoff and never mark the
 *       integration broken.
 * </ul>
 */
final class TokenRefresher {
  private static final Logger LOG = LoggerFactory.getLogger(TokenRefresher.class);
  static final String ACTOR = "oauth:refresher";

  private final Database db;
  private final Vault vault;
  private final IntegrationStates states;
  private final OAuthProviders providers;
  private final ProviderClient client;
  private final AuditLog audit;
  private final Clock clock;
  private final long aheadMs;
  private final String node = "node-" + UUID.randomUUID();
  private final ConcurrentHashMap<String, CompletableFuture<TokenBundle>> inFlight =
      new ConcurrentHashMap<>();

  long leaseMs = 120_000;
  long waitMs = 130_000;
  long pollMs = 50;
  int attempts = 4;
  long backoffMs = 200;

  TokenRefresher(
      Database db,
      Vault vault,
      IntegrationStates states,
      OAuthProviders providers,
      ProviderClient client,
      AuditLog audit,
      Clock clock,
      Duration ahead) {
    this.db = db;
    this.vault = vault;
    this.states = states;
    this.providers = providers;
    this.client = client;
    this.audit = audit;
    this.clock = clock;
    this.aheadMs = ahead.toMillis();
  }

  /**
   * The current tokens, refreshed first when the access token expires within the refresh-ahead
   * window.
   */
  TokenBundle fresh(CredentialScope scope, CredentialId id) {
    IntegrationState s = state(scope, id);
    if (s.needsReconnect()) {
      throw needsReconnect(s);
    }
    if (s.fresh(clock.millis(), aheadMs)) {
      return open(scope, id);
    }
    return refresh(scope, id, s.generation(), false);
  }

  /** Refreshes now (on demand), unless another caller refreshed since generation {@code seen}. */
  TokenBundle refresh(CredentialScope scope, CredentialId id, long seen, boolean force) {
    CompletableFuture<TokenBundle> mine = new CompletableFuture<>();
    CompletableFuture<TokenBundle> running = inFlight.putIfAbsent(id.value(), mine);
    if (running != null) {
      try {
        return running.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    try {
      TokenBundle b = acrossNodes(scope, id, seen, force);
      mine.complete(b);
      return b;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(id.value(), mine);
    }
  }

  private TokenBundle acrossNodes(
      CredentialScope scope, CredentialId id, long seen, boolean force) {
    long deadline = clock.millis() + waitMs;
    while (true) {
      long now = clock.millis();
      if (states.tryLease(id, node, now, now + leaseMs)) {
        try {
          IntegrationState s = state(scope, id);
          if (s.needsReconnect()) {
            throw needsReconnect(s);
          }
          if (s.generation() > seen || (!force && s.fresh(clock.millis(), aheadMs))) {
            return open(scope, id);
          }
          return refreshHoldingLease(scope, id, s);
        } finally {
          states.releaseLease(id, node);
        }
      }
      sleep(pollMs);
      IntegrationState s = state(scope, id);
      if (s.needsReconnect()) {
        throw needsReconnect(s);
      }
      if (s.generation() > seen) {
        return open(scope, id);
      }
      if (clock.millis() > deadline) {
        throw new UnavailableException(
            "integration " + id + " is being refreshed by another Keyroom node; try again");
      }
    }
  }

  private TokenBundle refreshHoldingLease(
      CredentialScope scope, CredentialId id, IntegrationState s) {
    OAuthProvider provider = providers.requireConfigured(s.provider());
    TokenBundle current = open(scope, id);
    if (current.refreshToken() == null) {
      markNeedsReconnect(scope, id, s, "expired_without_refresh_token");
      throw needsReconnect(state(scope, id));
    }
    for (int attempt = 1; ; attempt++) {
      try {
        TokenResponse r = client.refresh(provider, current.refreshToken());
        long now = clock.millis();
        TokenBundle next = current.refreshedWith(r, now);
        SecretValue value = next.toSecret();
        try {
          vault.renew(
              scope,
              id,
              value,
              ACTOR,
              h ->
                  states.refreshed(
                      h, id, next.expiresAt(), next.scopes(), next.refreshToken() != null, now));
        } finally {
          value.destroy();
        }
        LOG.info(
            "refreshed OAuth integration {} (provider {}, refresh token {})",
            id,
            provider.id(),
            r.refreshToken() != null && !r.refreshToken().equalsSecret(current.refreshToken())
                ? "rotated"
                : "kept");
        return next;
      } catch (ProviderException e) {
        if (e.kind() == ProviderException.Kind.INVALID_GRANT) {
          return onInvalidGrant(scope, id, s, current, e);
        }
        states.recordFailure(id, e.error(), clock.millis());
        if (e.kind() == ProviderException.Kind.REJECTED) {
          LOG.warn("refresh of OAuth integration {} refused: {}", id, e.getMessage());
          throw new UnavailableException(
              "the provider refused to refresh integration "
                  + id
                  + " ("
                  + e.error()
                  + "); the integration stays connected; an operator may need to check the OAuth client settings");
        }
        if (attempt >= attempts) {
          LOG.warn(
              "refresh of OAuth integration {} failed {} times: {}", id, attempt, e.getMessage());
          throw new UnavailableException(
              "the provider's token endpoint is unavailable ("
                  + e.error()
                  + "); integration "
                  + id
                  + " stays connected; try again shortly");
        }
        long wait = backoffMs * (1L << (attempt - 1));
        sleep(wait + ThreadLocalRandom.current().nextLong(wait / 2 + 1));
      }
    }
  }

  /** invalid_grant: read the stored integration again before believing it. */
  private TokenBundle onInvalidGrant(
      CredentialScope scope,
      CredentialId id,
      IntegrationState before,
      TokenBundle used,
      ProviderException e) {
    IntegrationState again = state(scope, id);
    TokenBundle stored = open(scope, id);
    if (again.generation() > before.generation()
        || (stored.refreshToken() != null
            && !stored.refreshToken().equalsSecret(used.refreshToken()))) {
      LOG.info(
          "invalid_grant for OAuth integration {} but newer tokens were stored meanwhile; using them",
          id);
      return stored;
    }
    markNeedsReconnect(scope, id, again, "invalid_grant");
    throw needsReconnect(state(scope, id));
  }

  private void markNeedsReconnect(
      CredentialScope scope, CredentialId id, IntegrationState s, String reason) {
    long now = clock.millis();
    db.jdbi()
        .useTransaction(
            h -> {
              states.markNeedsReconnect(h, id, reason, now);
              audit.append(
                  h,
                  scope.tenant(),
                  AuditEvent.of(ACTOR, "integration.oauth.needs_reconnect")
                      .target("credential", id.value())
                      .outcome("failed")
                      .with("provider", s.provider())
                      .with("reason", reason)
                      .with("user", s.user().value()));
            });
    LOG.warn("OAuth integration {} needs reconnect ({})", id, reason);
  }

  private IntegrationState state(CredentialScope scope, CredentialId id) {
    return states
        .find(scope.tenant(), scope.owner(), id)
        .orElseThrow(() -> new NotFoundException("no OAuth integration with that id"));
  }

  TokenBundle open(CredentialScope scope, CredentialId id) {
    ResolvedCredential r = vault.resolve(scope, id, null);
    try {
      return TokenBundle.fromSecret(r.value());
    } finally {
      r.value().destroy();
    }
  }

  private static NeedsReconnectException needsReconnect(IntegrationState s) {
    return new NeedsReconnectException(
        "integration "
            + s.id()
            + " ("
            + s.provider()
            + ") needs reconnect"
            + (s.statusReason() == null ? "" : " (" + s.statusReason() + ")")
            + ": connect it again from Profile → Integrations");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting for an OAuth refresh");
    }
  }
}
