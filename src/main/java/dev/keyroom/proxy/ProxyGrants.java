package dev.keyroom.proxy;

import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.session.PlaceholderGrant;
import dev.keyroom.session.PlaceholderRefusedException;
import dev.keyroom.session.SessionId;
import dev.keyroom.session.SessionInfo;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.TokenFormat;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.ResolvedCredential;
import dev.keyroom.vault.Vault;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides whether a placeholder may be used now, and opens the key it stands for. A grant is
 * remembered for a short time so a busy session does not decrypt on every call, but every revoke,
 * replace and delete of a credential and every session end drops the affected grants synchronously,
 * before the change's API call returns (the composition root routes both notifications here through
 * {@link ProviderProxy}): the very next request is checked afresh. A grant computed while such a
 * change happened is used once and not remembered.
 */
final class ProxyGrants {
  private record Key(String placeholderHash, String skill) {}

  private final Sessions sessions;
  private final Workrooms workrooms;
  private final Vault vault;
  private final Clock clock;
  private final long ttlMs;
  private final Map<Key, ProxyGrant> cache = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();

  ProxyGrants(Sessions sessions, Workrooms workrooms, Vault vault, Clock clock, Duration ttl) {
    this.sessions = sessions;
    this.workrooms = workrooms;
    this.vault = vault;
    this.clock = clock;
    this.ttlMs = ttl.toMillis();
  }

  /**
   * 401 unknown or malformed placeholder; 403 wrong provider, session not live, tool not enabled,
   * key revoked.
   */
  ProxyGrant authorize(String provider, String placeholder, String skill) {
    long now = clock.millis();
    Key key =
        placeholder == null
            ? null
            : new Key(TokenFormat.hash(placeholder), skill == null ? "" : skill);
    if (key != null && ttlMs > 0) {
      ProxyGrant g = cache.get(key);
      if (g != null
          && g.provider().equals(provider)
          && now - g.checkedAt() < ttlMs
          && now < g.session().expiresAt()) {
        return g;
      }
    }
    long gen = generation.get();
    PlaceholderGrant ph = sessions.authenticatePlaceholder(provider, placeholder);
    SessionInfo s = ph.session();
    try {
      return grant(provider, skill, key, s, now, gen);
    } catch (ForbiddenException e) {
      throw new PlaceholderRefusedException(e, s.tenant(), s.id(), s.workroom());
    }
  }

  private ProxyGrant grant(
      String provider, String skill, Key key, SessionInfo s, long now, long gen) {
    Workroom room;
    try {
      room = workrooms.get(s.tenant(), s.workroom());
    } catch (NotFoundException e) {
      throw new ForbiddenException("the workroom of session " + s.id() + " no longer exists");
    }
    Workroom.Tool tool =
        room.tools().stream()
            .filter(t -> t.kind().equals(provider))
            .findFirst()
            .orElseThrow(
                () ->
                    new ForbiddenException(
                        "tool '" + provider + "' is not enabled for workroom " + room.id()));
    if (tool.credential() == null) {
      throw new ForbiddenException(
          "tool '" + provider + "' has no tenant secret in workroom " + room.id());
    }
    ResolvedCredential rc;
    try {
      rc = vault.resolve(CredentialScope.tenantSecrets(s.tenant()), tool.credential(), skill);
    } catch (NotFoundException e) {
      throw new ForbiddenException(
          "the secret serving tool '" + provider + "' in workroom " + room.id() + " was deleted");
    }
    ProxyGrant grant =
        new ProxyGrant(s, provider, skill, tool.credential(), rc.info().version(), rc.value(), now);
    if (ttlMs > 0 && generation.get() == gen) {
      cache.put(key, grant);
      if (generation.get() != gen) {
        cache.remove(key, grant);
      }
    }
    return grant;
  }

  /**
   * Called (through the proxy, wired in the composition root) when a credential is revoked,
   * replaced or deleted.
   */
  void credentialChanged(TenantId tenant, CredentialId credential) {
    generation.incrementAndGet();
    cache
        .values()
        .removeIf(g -> g.credential().equals(credential) && g.session().tenant().equals(tenant));
  }

  /** Called (through the proxy, wired in the composition root) when a session ends. */
  void sessionEnded(SessionId session) {
    generation.incrementAndGet();
    cache.values().removeIf(g -> g.session().id().equals(session));
  }

  /** Moves on every change that drops grants: a check made across a move may be stale. */
  long generation() {
    return generation.get();
  }

  /** Drops every remembered grant (tests, workroom tool changes). */
  void clear() {
    generation.incrementAndGet();
    cache.clear();
  }

  int size() {
    return cache.size();
  }
}
