package dev.keyroom.session;

import dev.keyroom.error.RateLimitedException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caps the event streams held open at once, per session and per tenant: each open stream holds a
 * thread and re-reads its session every few seconds, so an unbounded number is a way to exhaust the
 * node. A stream over a cap gets 429 naming the cap; a closed stream gives its place back.
 */
public final class EventStreamLimits {
  private final int perSession;
  private final int perTenant;
  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

  public EventStreamLimits(int perSession, int perTenant) {
    if (perSession < 1 || perTenant < 1) {
      throw new IllegalArgumentException("event stream limits must be at least 1");
    }
    this.perSession = perSession;
    this.perTenant = perTenant;
  }

  /** A place for one open stream; closing it gives the place back. */
  public interface Place extends AutoCloseable {
    @Override
    void close();
  }

  /** Takes a place for a stream of {@code session}, or throws 429 naming the cap that is full. */
  public Place take(SessionInfo session) {
    String s = "s:" + session.id().value();
    String t = "t:" + session.tenant().value();
    if (!increment(s, perSession)) {
      throw new RateLimitedException(
          "this session already has "
              + perSession
              + " event streams open"
              + " (KEYROOM_SESSION_EVENT_STREAMS_PER_SESSION); close one first");
    }
    if (!increment(t, perTenant)) {
      decrement(s);
      throw new RateLimitedException(
          "this tenant's sessions already have "
              + perTenant
              + " event streams open"
              + " (KEYROOM_SESSION_EVENT_STREAMS_PER_TENANT); close one first");
    }
    return new Place() {
      private boolean closed;

      @Override
      public synchronized void close() {
        if (!closed) {
          closed = true;
          decrement(t);
          decrement(s);
        }
      }
    };
  }

  /** Streams open for a key (tests and metrics). */
  int openFor(SessionInfo session) {
    return open.getOrDefault("s:" + session.id().value(), 0);
  }

  private boolean increment(String key, int cap) {
    boolean[] taken = {false};
    open.compute(
        key,
        (k, n) -> {
          int now = n == null ? 0 : n;
          if (now >= cap) {
            return n;
          }
          taken[0] = true;
          return now + 1;
        });
    return taken[0];
  }

  private void decrement(String key) {
    open.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }
}
