package dev.keyroom.proxy;

import dev.keyroom.error.RateLimitedException;
import dev.keyroom.session.SessionId;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.EndPoint;

/**
 * The proxy exchanges in flight on this node, by session and tenant. Caps how many one session and
 * one tenant may hold at once (the next is refused with 429 before it reaches the upstream), and
 * aborts a session's exchanges when the session ends or the credential they use changes, so no
 * stream outlives the end of what authorised it.
 */
final class ProxyExchanges {
  private final ProviderProxy.Limits limits;
  private final Map<SessionId, Set<Exchange>> bySession = new HashMap<>();
  private final Map<TenantId, Integer> perTenant = new HashMap<>();
  private boolean draining;

  ProxyExchanges(ProviderProxy.Limits limits) {
    this.limits = limits;
  }

  /**
   * Takes a place for a request of {@code grant}'s session, or refuses it with 429 naming the
   * limit. {@code client} is the caller's connection, closed when the exchange is aborted.
   */
  Exchange open(ProxyGrant grant, EndPoint client) {
    Exchange e = new Exchange(grant, client);
    TenantId tenant = grant.session().tenant();
    synchronized (this) {
      if (draining) {
        throw new dev.keyroom.error.UnavailableException(
            "Keyroom is stopping and takes no new proxy requests; retry against another node or"
                + " once it is back");
      }
      Set<Exchange> mine = bySession.get(grant.session().id());
      if (mine != null && mine.size() >= limits.perSession()) {
        throw new RateLimitedException(
            "this session already has "
                + limits.perSession()
                + " proxy requests in flight (proxy-max-concurrent-per-session); retry when one has finished");
      }
      if (perTenant.getOrDefault(tenant, 0) >= limits.perTenant()) {
        throw new RateLimitedException(
            "this tenant already has "
                + limits.perTenant()
                + " proxy requests in flight (proxy-max-concurrent-per-tenant); retry when one has finished");
      }
      bySession.computeIfAbsent(grant.session().id(), k -> new LinkedHashSet<>()).add(e);
      perTenant.merge(tenant, 1, Integer::sum);
    }
    return e;
  }

  /** Aborts every exchange of the session. Returns how many. */
  int abortSession(SessionId session) {
    List<Exchange> hit;
    synchronized (this) {
      Set<Exchange> mine = bySession.get(session);
      hit = mine == null ? List.of() : new ArrayList<>(mine);
    }
    hit.forEach(e -> e.abort("session " + session + " ended"));
    return hit.size();
  }

  /** Aborts every exchange using the tenant's credential (any version). Returns how many. */
  int abortCredential(TenantId tenant, CredentialId credential) {
    List<Exchange> hit = new ArrayList<>();
    synchronized (this) {
      for (Set<Exchange> s : bySession.values()) {
        for (Exchange e : s) {
          if (e.grant.credential().equals(credential)
              && e.grant.session().tenant().equals(tenant)) {
            hit.add(e);
          }
        }
      }
    }
    hit.forEach(e -> e.abort("credential " + credential + " was revoked, replaced or deleted"));
    return hit.size();
  }

  /**
   * Refuses new exchanges (503) and waits until those in flight have finished — their usage is
   * queued by then — or {@code timeout} has passed. True when none is left.
   */
  synchronized boolean drain(java.time.Duration timeout) throws InterruptedException {
    draining = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight() > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Exchanges in flight now (tests, metrics). */
  synchronized int inFlight() {
    return perTenant.values().stream().mapToInt(Integer::intValue).sum();
  }

  private synchronized void release(Exchange e) {
    Set<Exchange> mine = bySession.get(e.grant.session().id());
    if (mine == null || !mine.remove(e)) {
      return;
    }
    if (mine.isEmpty()) {
      bySession.remove(e.grant.session().id());
    }
    perTenant.computeIfPresent(e.grant.session().tenant(), (t, n) -> n <= 1 ? null : n - 1);
    notifyAll(); // a drain waits for the last one
  }

  /** One request in flight. Closing it gives its place back (idempotent). */
  final class Exchange implements AutoCloseable {
    private final ProxyGrant grant;
    private final EndPoint client;
    private Request upstream;
    private String abortedBecause;
    private boolean awaitingAnswer;

    private Exchange(ProxyGrant grant, EndPoint client) {
      this.grant = grant;
      this.client = client;
    }

    /** The upstream request of this exchange; aborted at once if the exchange already was. */
    void attach(Request request) {
      String reason;
      synchronized (this) {
        upstream = request;
        reason = abortedBecause;
      }
      if (reason != null) {
        request.abort(new ExchangeAborted(reason));
      }
    }

    /**
     * While true the request thread waits for the upstream's answer: an abort then fails that wait,
     * and the thread answers the caller itself (403) instead of its connection being cut.
     */
    synchronized void awaitingAnswer(boolean waiting) {
      awaitingAnswer = waiting;
    }

    /** Why Keyroom ended this exchange, or null if it did not. */
    synchronized String abortedBecause() {
      return abortedBecause;
    }

    private void abort(String reason) {
      Request r;
      boolean cutClient;
      synchronized (this) {
        if (abortedBecause != null) {
          return;
        }
        abortedBecause = reason;
        r = upstream;
        cutClient = !awaitingAnswer;
      }
      if (r != null) {
        r.abort(new ExchangeAborted(reason));
      }
      // A client still uploading, or not reading what is sent, is not left waiting either.
      if (cutClient && client != null) {
        client.close(new ExchangeAborted(reason));
      }
    }

    @Override
    public void close() {
      release(this);
    }
  }

  /** The failure an aborted exchange's upstream request and client connection see. */
  static final class ExchangeAborted extends Exception {
    private static final long serialVersionUID = 1L;

    ExchangeAborted(String reason) {
      super(reason, null, false, false);
    }
  }
}
