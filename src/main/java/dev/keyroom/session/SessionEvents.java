package dev.keyroom.session;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Tells a session's launchers what happened to it: {@code ended}, {@code revoked} (which
 * credential) and {@code rotated}. In-memory, per node; event streams also re-check the store every
 * few seconds so an end recorded by another node arrives too.
 */
public final class SessionEvents {
  /** Event names. */
  public static final String ENDED = "ended";

  public static final String REVOKED = "revoked";
  public static final String ROTATED = "rotated";

  /** One event; {@code data} holds ids, versions and reasons, never values. */
  public record Event(String type, Map<String, Object> data) {}

  /** A launcher's subscription to one session. */
  public final class Subscription implements AutoCloseable {
    private final SessionId session;
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    private Subscription(SessionId session) {
      this.session = session;
    }

    public BlockingQueue<Event> queue() {
      return queue;
    }

    @Override
    public void close() {
      Set<Subscription> set = subscribers.get(session);
      if (set != null) {
        set.remove(this);
        subscribers.computeIfPresent(session, (k, v) -> v.isEmpty() ? null : v);
      }
    }
  }

  private final Map<SessionId, Set<Subscription>> subscribers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Stops every open stream (server shutdown). */
  public void close() {
    closed = true;
  }

  public boolean isClosed() {
    return closed;
  }

  public Subscription subscribe(SessionId session) {
    Subscription s = new Subscription(session);
    subscribers.computeIfAbsent(session, k -> ConcurrentHashMap.newKeySet()).add(s);
    return s;
  }

  public void publish(SessionId session, Event event) {
    Set<Subscription> set = subscribers.get(session);
    if (set != null) {
      for (Subscription s : set) {
        s.queue.add(event);
      }
    }
  }

  /** How many launchers listen to the session on this node. */
  public int listeners(SessionId session) {
    Set<Subscription> set = subscribers.get(session);
    return set == null ? 0 : set.size();
  }
}
