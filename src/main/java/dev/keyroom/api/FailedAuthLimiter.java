package dev.keyroom.api;

import dev.keyroom.error.RateLimitedException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down token guessing: after {@code limit} failed authentications from one address within
 * a window, further requests from it get 429 until the window ends.
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

  /** Throws 429 when {@code address} is over its limit. */
  public void check(String address) {
    long[] w = windows.get(address);
    long now = clock.millis();
    if (w != null && now - w[0] < windowMs && w[1] >= limit) {
      long retry = Math.max(1, (w[0] + windowMs - now + 999) / 1000);
      throw new RateLimitedException("too many failed sign-in attempts from this address; retry in " + retry + " s");
    }
  }

  public void failed(String address) {
    long now = clock.millis();
    windows.compute(address, (k, w) -> {
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
