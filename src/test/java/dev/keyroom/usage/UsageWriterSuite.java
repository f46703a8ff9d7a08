package dev.keyroom.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.api.Metrics;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.audit.AuditRecord;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.testing.OneKeyroomPerClass;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The usage writer on SQLite and PostgreSQL: a batch is one transaction (usage rows, audit, last
 * used); a failed batch is tried again, then written one record per transaction, and what cannot be
 * written is counted, never silently lost; a full queue drops and counts.
 */
abstract class UsageWriterSuite extends OneKeyroomPerClass {
  Tenancy.Founded acme;
  TenantId tenant;
  CredentialScope scope;
  CredentialId key;
  Metrics metrics;

  @BeforeEach
  void tenantWithAKey() {
    acme = newTenant("usage");
    tenant = acme.tenant().id();
    scope = CredentialScope.tenantSecrets(tenant);
    key =
        new CredentialId(
            k.keyroom
                .vault()
                .create(scope, "gemini", "g", SecretValue.ofUtf8("usage-writer-0123456789"), "test")
                .id());
    metrics = new Metrics();
  }

  UsageRecorder recorder(int capacity, Duration offerWait) {
    return new UsageRecorder(
        k.keyroom.db(),
        new UsageStore(
            k.keyroom.db(), new dev.keyroom.spend.Pricing(k.keyroom.prices(), k.keyroom.catalog())),
        k.keyroom.audit(),
        k.keyroom.vault(),
        metrics,
        capacity,
        offerWait,
        Duration.ZERO);
  }

  UsageRecord use(TenantId t, String path, long at) {
    return new UsageRecord(
        t,
        at,
        "wr_test",
        "ses_test",
        acme.admin().id().value(),
        null,
        "gemini",
        key.value(),
        1,
        "POST",
        path,
        200,
        "ok",
        2,
        100,
        5,
        new UsageUnits(8L, 7L, 15L, null, null));
  }

  List<String> paths(TenantId t) {
    return k.keyroom
        .db()
        .jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT path FROM usage_records WHERE tenant_id = :t ORDER BY path")
                    .bind("t", t.value())
                    .mapTo(String.class)
                    .list());
  }

  List<AuditRecord> useEvents() {
    return k.keyroom
        .audit()
        .query(
            tenant,
            new AuditLog.Filter(null, "proxy.use", null, null, null, null, null, null, 100));
  }

  long requestsAudited() {
    return useEvents().stream().mapToLong(e -> Long.parseLong(e.detail().get("requests"))).sum();
  }

  @Test
  void queuedRecordsAreWrittenAsOneBatch_rowsAuditAndLastUsedTogether() {
    UsageRecorder r = recorder(10, Duration.ofMillis(250));
    long t0 = System.currentTimeMillis();
    // queued before the writer starts, so the first batch takes them all; the newest is not last
    for (int i = 0; i < 7; i++) {
      r.record(use(tenant, "/v1/p" + i, t0 + (i == 3 ? 100 : i)));
    }
    r.start().close();

    assertThat(paths(tenant))
        .containsExactly("/v1/p0", "/v1/p1", "/v1/p2", "/v1/p3", "/v1/p4", "/v1/p5", "/v1/p6");
    assertThat(useEvents())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.detail())
                    .containsEntry("requests", "7")
                    .containsEntry("statuses", "200:7"));
    assertThat(k.keyroom.vault().get(scope, key).lastUsed().at()).isEqualTo(t0 + 100);
    assertThat(k.keyroom.audit().verify(tenant).intact()).isTrue();
    assertThat(metrics.count("keyroom_usage_write_seconds")).isEqualTo(1);
    assertThat(metrics.sum("keyroom_usage_write_seconds")).isPositive();
    assertThat(metrics.count("keyroom_usage_batch_rows")).isEqualTo(1);
    assertThat(metrics.sum("keyroom_usage_batch_rows")).isEqualTo(7.0);
    assertThat(metrics.value("keyroom_usage_recorded_total")).isEqualTo(7);
    assertThat(metrics.value("keyroom_usage_batch_retries_total")).isZero();
    assertThat(metrics.value("keyroom_usage_failed_total")).isZero();
    assertThat(metrics.scrape())
        .contains("# TYPE keyroom_usage_write_seconds summary")
        .contains("keyroom_usage_batch_rows_sum 7.0")
        .contains("keyroom_usage_batch_rows_count 1")
        .contains("keyroom_usage_queue_capacity 10.0");
  }

  @Test
  void recordsArrivingWithinTheLingerShareOneBatch_andCloseDoesNotWaitOutTheLinger()
      throws Exception {
    UsageRecorder r =
        new UsageRecorder(
                k.keyroom.db(),
                new UsageStore(
                    k.keyroom.db(),
                    new dev.keyroom.spend.Pricing(k.keyroom.prices(), k.keyroom.catalog())),
                k.keyroom.audit(),
                k.keyroom.vault(),
                metrics,
                10,
                Duration.ofMillis(250),
                Duration.ofSeconds(3))
            .start();
    long t0 = System.currentTimeMillis();
    r.record(use(tenant, "/v1/first", t0));
    Thread.sleep(100);
    r.record(use(tenant, "/v1/second", t0 + 1));
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (metrics.count("keyroom_usage_batch_rows") == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(metrics.count("keyroom_usage_batch_rows")).isEqualTo(1);
    assertThat(metrics.sum("keyroom_usage_batch_rows")).isEqualTo(2.0);
    assertThat(paths(tenant)).containsExactly("/v1/first", "/v1/second");

    r.record(use(tenant, "/v1/third", t0 + 2));
    long closing = System.nanoTime();
    r.close();
    assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(2));
    assertThat(paths(tenant)).containsExactly("/v1/first", "/v1/second", "/v1/third");
  }

  @Test
  void aBatchThatCannotCommit_isWrittenNeitherHalfNorTwice_onlyTheBadRecordIsLostAndCounted() {
    Tenancy.Founded gone = newTenant("gone");
    k.keyroom.tenancy().deleteTenant(gone.tenant().id());
    UsageRecorder r = recorder(10, Duration.ofMillis(250));
    long t0 = System.currentTimeMillis();
    for (int i = 0; i < 3; i++) {
      r.record(use(tenant, "/v1/good" + i, t0 + i));
    }
    // its tenant was deleted while the request ran: the batch's insert fails on it, twice
    r.record(use(gone.tenant().id(), "/v1/orphan", t0 + 3));
    for (int i = 3; i < 5; i++) {
      r.record(use(tenant, "/v1/good" + i, t0 + i));
    }
    r.start().close();

    // the failed attempts left nothing behind (else the good rows would be there two or three
    // times)
    assertThat(paths(tenant))
        .containsExactly("/v1/good0", "/v1/good1", "/v1/good2", "/v1/good3", "/v1/good4");
    assertThat(paths(gone.tenant().id())).isEmpty();
    assertThat(requestsAudited()).isEqualTo(5);
    assertThat(k.keyroom.audit().verify(tenant).intact()).isTrue();
    assertThat(k.keyroom.vault().get(scope, key).lastUsed().at()).isEqualTo(t0 + 4);
    assertThat(metrics.value("keyroom_usage_batch_retries_total")).isEqualTo(1);
    assertThat(metrics.value("keyroom_usage_failed_total")).isEqualTo(1);
    assertThat(metrics.value("keyroom_usage_recorded_total")).isEqualTo(5);
    assertThat(metrics.count("keyroom_usage_write_seconds")).isEqualTo(5);
  }

  @Test
  void aFullQueueDropsAndCounts_andABatchNeverExceedsTheQueue() {
    UsageRecorder r = recorder(2, Duration.ofMillis(10));
    assertThat(r.batchSize()).isEqualTo(2);
    assertThat(recorder(100_000, Duration.ZERO).batchSize()).isEqualTo(UsageRecorder.MAX_BATCH);
    long t0 = System.currentTimeMillis();
    for (int i = 0; i < 5; i++) {
      r.record(use(tenant, "/v1/q" + i, t0 + i));
    }
    assertThat(metrics.value("keyroom_usage_dropped_total")).isEqualTo(3);
    r.start().close();
    assertThat(paths(tenant)).containsExactly("/v1/q0", "/v1/q1");
    assertThat(metrics.value("keyroom_usage_recorded_total")).isEqualTo(2);
    // once closed, nothing is queued: a late record is dropped and counted too
    r.record(use(tenant, "/v1/late", t0 + 9));
    assertThat(metrics.value("keyroom_usage_dropped_total")).isEqualTo(4);
    assertThat(paths(tenant)).doesNotContain("/v1/late");
    assertThat(metrics.value("keyroom_usage_failed_total")).isZero();
  }
}
