package dev.keyroom.usage;

import dev.keyroom.api.Metrics;
import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.usage.UsageWriter.Entry;
import dev.keyroom.vault.Vault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.ConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records proxied requests off the request path: a bounded queue drained by one writer thread in
 * batches of at most {@link #MAX_BATCH} (and never more than the queue holds). Each batch is one
 * transaction: usage rows, audit events and "last used" commit together or not at all.
 *
 * <p>What can be lost, and how it shows:
 *
 * <ul>
 *   <li>A full queue makes the request wait up to {@code offerWait}, then the record is dropped and
 *       counted in {@code keyroom_usage_dropped_total}.
 *   <li>A batch whose transaction fails is tried once more; if that fails too, its entries are
 *       written one per transaction, so one that cannot be written (its tenant deleted meanwhile)
 *       does not take the others with it. What still fails is counted in {@code
 *       keyroom_usage_failed_total}. When no connection can be had at all, the rest of the batch is
 *       counted at once rather than tried entry by entry.
 *   <li>A killed process loses what it held in memory: at most the queue's capacity plus the batch
 *       being written, plus the records of requests still in flight.
 *   <li>{@link #close()} drains everything still queued, so an orderly stop loses nothing.
 * </ul>
 */
public final class UsageRecorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UsageRecorder.class);

  /** The most entries one batch (one transaction) holds. */
  public static final int MAX_BATCH = 500;

  private static final Duration RETRY_PAUSE = Duration.ofMillis(100);
  private static final long LINGER_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final Database db;
  private final UsageWriter writer;
  private final Metrics metrics;
  private final BlockingQueue<Entry> queue;
  private final int batchSize;
  private final Duration offerWait;
  private final long lingerNanos;
  private final Thread thread;
  private volatile boolean closing;

  /**
   * A recorder holding at most {@code capacity} records in its queue; {@link #start()} starts the
   * writer. With {@code linger}: once the writer has a record, it waits up to that long for more
   * before it writes, so a busy proxy writes few large batches (each batch costs a transaction and
   * an audit head update whatever its size) instead of many of one or two. Usage then shows up to
   * {@code linger} later; what a crash can lose does not change (the queue plus one batch).
   */
  public UsageRecorder(
      Database db,
      UsageStore store,
      AuditLog audit,
      Vault vault,
      Metrics metrics,
      int capacity,
      Duration offerWait,
      Duration linger) {
    if (capacity < 1) {
      throw new IllegalArgumentException(
          "usage queue capacity must be at least 1 (got " + capacity + ")");
    }
    this.db = db;
    this.writer = new UsageWriter(store, audit, vault);
    this.metrics = metrics;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.batchSize = Math.min(MAX_BATCH, capacity);
    this.offerWait = offerWait;
    this.lingerNanos = linger.toNanos();
    metrics.describe(
        "keyroom_usage_recorded_total", "Proxied requests recorded in usage and audit");
    metrics.describe(
        "keyroom_usage_dropped_total", "Usage records dropped because the queue stayed full");
    metrics.describe(
        "keyroom_usage_batch_retries_total",
        "Usage batches whose transaction failed and were tried again");
    metrics.describe(
        "keyroom_usage_failed_total",
        "Usage records (requests and refusals) not written after a retry and one by one");
    metrics.summary(
        "keyroom_usage_batch_rows",
        "Usage records (requests and refusals) per written batch; rate of _sum is records/s");
    metrics.summary(
        "keyroom_usage_write_seconds", "Time to write one usage batch, commit included");
    metrics.gauge("keyroom_usage_queue_depth", "Usage records waiting to be written", queue::size);
    metrics.gauge(
        "keyroom_usage_queue_capacity", "Usage records the queue holds at most", () -> capacity);
    this.thread = Thread.ofPlatform().name("keyroom-usage").daemon(true).unstarted(this::run);
  }

  /** Starts the writer. Records queued before are written in the first batches. */
  public synchronized UsageRecorder start() {
    if (thread.getState() == Thread.State.NEW) {
      thread.start();
    }
    return this;
  }

  /** The most entries one batch holds: {@link #MAX_BATCH}, or the queue's capacity if smaller. */
  public int batchSize() {
    return batchSize;
  }

  /** Queues a proxied request. Waits briefly when the queue is full, then drops and counts. */
  public void record(UsageRecord use) {
    enqueue(Entry.of(use));
  }

  /**
   * Queues a proxied request if the queue has room now, without waiting: false when it is full (the
   * caller then waits with {@link #record}, off any I/O thread). Once the recorder is closing the
   * record is dropped and counted, as {@link #record} does, and this returns true.
   */
  public boolean offer(UsageRecord use) {
    if (closing) {
      record(use);
      return true;
    }
    return queue.offer(Entry.of(use));
  }

  /** Queues an audit event for a refused proxy request (no usage row). */
  public void denied(TenantId tenant, AuditEvent event) {
    enqueue(Entry.denial(tenant, event));
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
    List<Entry> batch = new ArrayList<>(batchSize);
    while (true) {
      Entry first;
      try {
        first = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ie) {
        if (!closing) {
          LOG.warn("usage writer interrupted; draining and stopping");
        }
        closing = true;
        continue;
      }
      if (first == null) {
        if (closing && queue.isEmpty()) {
          return;
        }
        continue;
      }
      batch.add(first);
      queue.drainTo(batch, batchSize - 1);
      linger(batch);
      try {
        writeOrCount(batch);
      } catch (RuntimeException ex) {
        // writeOrCount counts what it cannot write; this is a bug of its own, still counted
        metrics.add("keyroom_usage_failed_total", batch.size());
        LOG.error("usage batch of {} not written: {}", batch.size(), ex.getClass().getName());
      } finally {
        batch.clear();
      }
    }
  }

  /** Adds what arrives within the linger after the batch's first record, up to a full batch. */
  private void linger(List<Entry> batch) {
    long deadline = System.nanoTime() + lingerNanos;
    while (batch.size() < batchSize && !closing) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Entry next;
      try {
        // in slices, so a close() is not kept waiting for the rest of the linger
        next = queue.poll(Math.min(left, LINGER_SLICE_NANOS), TimeUnit.NANOSECONDS);
      } catch (InterruptedException ie) {
        closing = true;
        return;
      }
      if (next == null) {
        continue;
      }
      batch.add(next);
      queue.drainTo(batch, batchSize - batch.size());
    }
  }

  /** Writes the batch in one transaction; once more if that fails; then entry by entry. */
  private void writeOrCount(List<Entry> batch) {
    RuntimeException failure;
    try {
      writeTimed(batch);
      return;
    } catch (RuntimeException ex) {
      failure = ex;
    }
    metrics.increment("keyroom_usage_batch_retries_total");
    LOG.warn(
        "usage batch of {} not written ({}); trying once more",
        batch.size(),
        failure.getClass().getName());
    pause();
    try {
      writeTimed(batch);
      return;
    } catch (RuntimeException ex) {
      failure = ex;
    }
    int failed = 0;
    for (int i = 0; i < batch.size(); i++) {
      if (failure instanceof ConnectionException) {
        failed += batch.size() - i;
        break;
      }
      try {
        writeTimed(List.of(batch.get(i)));
      } catch (RuntimeException ex) {
        failure = ex;
        failed++;
      }
    }
    if (failed > 0) {
      metrics.add("keyroom_usage_failed_total", failed);
      LOG.error(
          "{} of {} usage records could not be written ({}); counted in keyroom_usage_failed_total",
          failed,
          batch.size(),
          failure.getClass().getName());
    }
  }

  private void writeTimed(List<Entry> entries) {
    long started = System.nanoTime();
    int rows = db.jdbi().inTransaction(h -> writer.write(h, entries));
    metrics.observe("keyroom_usage_write_seconds", (System.nanoTime() - started) / 1e9);
    metrics.observe("keyroom_usage_batch_rows", entries.size());
    metrics.add("keyroom_usage_recorded_total", rows);
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_PAUSE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops accepting, writes everything still queued, and waits for the writer (at most 30 s). */
  @Override
  public void close() {
    closing = true;
    start(); // a recorder never started still writes what was queued
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("usage writer still busy after 30 s; {} records left unwritten", queue.size());
    }
  }
}
