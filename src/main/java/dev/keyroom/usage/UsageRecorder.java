package dev.keyroom.usage;

import dev.keyroom.api.Metrics;
import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.Vault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records proxied requests off the request path: a bounded queue drained by one writer thread in
 * batches. Each batch writes the usage rows, appends one audit event per use (per tenant, in one
 * transaction) and updates each credential's "last used". {@link #close()} drains everything still
 * queued, so an orderly shutdown loses nothing.
 */
public final class UsageRecorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UsageRecorder.class);
  private static final int BATCH = 500;

  /** Something to record: a use (usage row + audit) or a denial (audit only). */
  private record Entry(UsageRecord use, TenantId tenant, AuditEvent denial) {}

  private final Database db;
  private final UsageStore store;
  private final AuditLog audit;
  private final Vault vault;
  private final Metrics metrics;
  private final BlockingQueue<Entry> queue;
  private final Duration offerWait;
  private final Thread writer;
  private volatile boolean closing;

  public UsageRecorder(
      Database db,
      UsageStore store,
      AuditLog audit,
      Vault vault,
      Metrics metrics,
      int capacity,
      Duration offerWait) {
    this.db = db;
    this.store = store;
    this.audit = audit;
    this.vault = vault;
    this.metrics = metrics;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.offerWait = offerWait;
    metrics.describe(
        "keyroom_usage_recorded_total", "Proxied requests recorded in usage and audit");
    metrics.describe(
        "keyroom_usage_dropped_total", "Usage records dropped because the queue stayed full");
    metrics.gauge("keyroom_usage_queue_depth", "Usage records waiting to be written", queue::size);
    this.writer = Thread.ofPlatform().name("keyroom-usage").daemon(true).unstarted(this::run);
    writer.start();
  }

  /** Queues a proxied request. Waits briefly when the queue is full, then drops and counts. */
  public void record(UsageRecord use) {
    enqueue(new Entry(use, use.tenant(), null));
  }

  /** Queues an audit event for a refused proxy request (no usage row). */
  public void denied(TenantId tenant, AuditEvent event) {
    enqueue(new Entry(null, tenant, event));
  }

  private void enqueue(Entry e) {
    boolean queued;
    try {
      queued = !closing && queue.offer(e, offerWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      queued = false;
    }
    if (!queued) {
      metrics.increment("keyroom_usage_dropped_total");
      LOG.warn(
          "usage record dropped for tenant {} ({})",
          e.tenant(),
          closing ? "recorder closed" : "queue full");
    }
  }

  private void run() {
    List<Entry> batch = new ArrayList<>(BATCH);
    while (true) {
      try {
        Entry first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        write(batch);
      } catch (InterruptedException ie) {
        if (!closing) {
          LOG.warn("usage writer interrupted; draining and stopping");
        }
        closing = true;
      } catch (RuntimeException ex) {
        LOG.error("usage batch of {} not written: {}", batch.size(), ex.getClass().getName());
      } finally {
        batch.clear();
      }
    }
  }

  private void write(List<Entry> batch) {
    List<UsageRecord> uses = new ArrayList<>();
    Map<TenantId, List<AuditEvent>> events = new LinkedHashMap<>();
    Map<UseGroup, List<UsageRecord>> groups = new LinkedHashMap<>();
    Map<String, UsageRecord> lastUse = new LinkedHashMap<>();
    for (Entry e : batch) {
      if (e.use() != null) {
        UsageRecord u = e.use();
        uses.add(u);
        groups.computeIfAbsent(UseGroup.of(u), g -> new ArrayList<>()).add(u);
        if (u.credentialId() != null) {
          lastUse.put(u.tenant().value() + "/" + u.credentialId(), u);
        }
      } else {
        events.computeIfAbsent(e.tenant(), t -> new ArrayList<>()).add(e.denial());
      }
    }
    groups.forEach(
        (g, list) ->
            events.computeIfAbsent(g.tenant(), t -> new ArrayList<>()).add(auditOf(g, list)));
    if (!uses.isEmpty()) {
      db.jdbi().useTransaction(h -> store.insertAll(h, uses));
    }
    events.forEach(audit::recordAll);
    for (UsageRecord u : lastUse.values()) {
      vault.recordUse(
          u.tenant(),
          new CredentialId(u.credentialId()),
          new CredentialInfo.LastUsed(
              u.at(), u.sessionId(), u.workroomId(), u.skill(), u.userId()));
    }
    metrics.add("keyroom_usage_recorded_total", uses.size());
  }

  /**
   * Uses that one audit event stands for: same caller, key, provider and outcome within one batch.
   */
  private record UseGroup(
      TenantId tenant,
      String userId,
      String sessionId,
      String workroomId,
      String skill,
      String credentialId,
      int version,
      String provider,
      String outcome) {
    static UseGroup of(UsageRecord u) {
      return new UseGroup(
          u.tenant(),
          u.userId(),
          u.sessionId(),
          u.workroomId(),
          u.skill(),
          u.credentialId(),
          u.credentialVersion(),
          u.provider(),
          u.outcome());
    }
  }

  /**
   * One audit event per group of uses in a batch (a busy session makes one row per batch, not one
   * per call); {@code requests} counts the calls, {@code statuses} their HTTP statuses. Each call
   * has its own usage row.
   */
  private static AuditEvent auditOf(UseGroup g, List<UsageRecord> uses) {
    Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    for (UsageRecord u : uses) {
      statuses.merge(u.status(), 1, Integer::sum);
    }
    StringBuilder s = new StringBuilder();
    statuses.forEach(
        (status, n) -> s.append(s.isEmpty() ? "" : ",").append(status).append(':').append(n));
    return AuditEvent.of("user:" + g.userId(), "proxy.use")
        .target("credential", g.credentialId())
        .context(g.sessionId(), g.workroomId(), g.skill())
        .outcome(g.outcome())
        .with("provider", g.provider())
        .with("version", g.version())
        .with("requests", uses.size())
        .with("statuses", s.toString())
        .with("first", uses.get(0).at())
        .with("last", uses.get(uses.size() - 1).at());
  }

  /** Stops accepting, writes everything still queued, and waits for the writer (at most 30 s). */
  @Override
  public void close() {
    closing = true;
    try {
      writer.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      LOG.warn("usage writer still busy after 30 s; {} records left unwritten", queue.size());
    }
  }
}
