package dev.keyroom.api;

import dev.keyroom.error.RateLimitedException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed authentications per key (an address, an account) within a window. It limits
 * failures only: callers check a credential first and consult the limiter when it failed, so a
 * valid credential is never refused because someone else failed from the same address.
 */
public final class FailedAuthLimiter {
  private final int limit;
  private final long windowMs;
  private final Clock clock;
  private final Map<String, long[]> windows = new ConcurrentHashMap<>();

  public FailedAuthLimiter(int limit, long windowMs, Clock clock) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.clock = clock;
  }

  /** Throws 429 when {@code key} is over its limit (for checks that must stop before any work). */
  public void check(String key) {
    long retry = retryAfterSeconds(key);
    if (retry > 0) {
      throw new RateLimitedException(
          "too many failed sign-in attempts from this address; retry in " + retry + " s");
    }
  }

  /** Seconds until {@code key} is under its limit again; 0 when it is under it now. */
  public long retryAfterSeconds(String key) {
    long[] w = windows.get(key);
    long now = clock.millis();
    if (w != null && now - w[0] < windowMs && w[1] >= limit) {
      return Math.max(1, (w[0] + windowMs - now + 999) / 1000);
    }
    return 0;
  }

  /** Records one failure of {@code key}. */
  public void failed(String key) {
    long now = clock.millis();
    windows.compute(
        key,
        (k, w) -> {
          if (w == null || now - w[0] >= windowMs) {
            return new long[] {now, 1};
          }
          w[1]++;
          return w;
        });
    if (windows.size() > 100_000) {
      windows.entrySet().removeIf(e -> now - e.getValue()[0] >= windowMs);
    }
  }
}
