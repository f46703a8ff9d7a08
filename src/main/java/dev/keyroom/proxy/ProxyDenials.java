package dev.keyroom.proxy;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.session.PlaceholderRefusedException;
import dev.keyroom.tenancy.TokenFormat;
import dev.keyroom.usage.UsageRecorder;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Audits refused proxy requests of known placeholders ({@code proxy.denied}): ended session,
 * another provider's route, tool not enabled, key revoked. Written through the usage recorder's
 * background writer, and at most once a minute per placeholder and reason, so a client retrying an
 * ended placeholder in a loop neither slows the proxy nor floods the audit log (every refusal is
 * still counted in {@code keyroom_proxy_requests_total}).
 */
final class ProxyDenials {
  static final long INTERVAL_MS = 60_000;
  private static final int MAX_TRACKED = 10_000;

  private final UsageRecorder usage;
  private final Clock clock;
  private final Map<String, Long> lastAudited = new ConcurrentHashMap<>();

  ProxyDenials(UsageRecorder usage, Clock clock) {
    this.usage = usage;
    this.clock = clock;
  }

  void record(PlaceholderRefusedException refused, String provider, String placeholder) {
    long now = clock.millis();
    String key = (placeholder == null ? "" : TokenFormat.hash(placeholder)) + "|" + refused.code();
    Long previous = lastAudited.get(key);
    if (previous != null && now - previous < INTERVAL_MS) {
      return;
    }
    lastAudited.put(key, now);
    if (lastAudited.size() > MAX_TRACKED) {
      lastAudited.entrySet().removeIf(e -> now - e.getValue() >= INTERVAL_MS);
    }
    String session = refused.session().value();
    usage.denied(
        refused.tenant(),
        AuditEvent.of("session:" + session, "proxy.denied")
            .target("session", session)
            .context(session, refused.workroom() == null ? null : refused.workroom().value(), null)
            .denied()
            .with("provider", provider)
            .with("reason", refused.code())
            .with("message", refused.getMessage()));
  }
}
