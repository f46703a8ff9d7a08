package dev.keyroom.session;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends sessions past their maximum lifetime or idle timeout, so expiry, like an explicit end, wipes
 * the ledger, writes the audit and tells the launcher.
 */
public final class SessionSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionSweeper.class);

  private final Sessions sessions;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "keyroom-session-sweeper");
            t.setDaemon(true);
            return t;
          });

  public SessionSweeper(Sessions sessions) {
    this.sessions = sessions;
  }

  public SessionSweeper start(Duration every) {
    timer.scheduleWithFixedDelay(
        this::sweepSafely, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Ends every overdue session now; returns how many. */
  public int sweep() {
    int ended = 0;
    for (SessionInfo s : sessions.overdue()) {
      sessions.end(s.tenant(), s.id(), "expired", "keyroom");
      ended++;
    }
    return ended;
  }

  private void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warn("session sweep failed: {}", e.getClass().getSimpleName());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
