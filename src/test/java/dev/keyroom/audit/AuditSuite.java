package dev.keyroom.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.testing.OneKeyroomPerClass;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit hash chain on SQLite and PostgreSQL: tampering is found and located; appends race
 * safely.
 */
abstract class AuditSuite extends OneKeyroomPerClass {
  Tenancy.Founded acme;
  TenantId tenant;

  @BeforeEach
  void tenantWithHistory() {
    acme = newTenant("audit");
    tenant = acme.tenant().id();
    CredentialScope scope = CredentialScope.tenantSecrets(tenant);
    CredentialInfo c =
        k.keyroom
            .vault()
            .create(scope, "gemini", "prod", SecretValue.ofUtf8("value-one-0123456789"), "user:x");
    k.keyroom
        .vault()
        .replace(
            scope, new CredentialId(c.id()), SecretValue.ofUtf8("value-two-0123456789"), "user:x");
    k.keyroom.vault().revoke(scope, new CredentialId(c.id()), null, "user:x");
    k.keyroom.vault().delete(scope, new CredentialId(c.id()), "user:x");
    assertThat(rows()).isGreaterThanOrEqualTo(7);
    assertThat(k.keyroom.audit().verify(tenant).intact()).isTrue();
  }

  long rows() {
    return k.keyroom
        .db()
        .jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT COUNT(*) FROM audit_events WHERE tenant_id = :t")
                    .bind("t", tenant.value())
                    .mapTo(Long.class)
                    .one());
  }

  void sql(String statement) {
    k.keyroom
        .db()
        .jdbi()
        .useHandle(h -> h.createUpdate(statement).bind("t", tenant.value()).execute());
  }

  @Test
  void intactChain_verifiesAndRecordsEveryChangeWithActorAndTarget() {
    AuditLog.Verification v = k.keyroom.audit().verify(tenant);
    assertThat(v.intact()).isTrue();
    assertThat(v.rowsChecked()).isEqualTo(rows());
    List<AuditRecord> events =
        k.keyroom
            .audit()
            .query(
                tenant,
                new AuditLog.Filter(null, "secret", null, null, null, null, null, null, 100));
    assertThat(events)
        .extracting(AuditRecord::action)
        .containsExactly("secret.delete", "secret.revoke", "secret.replace", "secret.create");
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.actor()).isEqualTo("user:x");
              assertThat(e.targetType()).isEqualTo("credential");
              assertThat(e.targetId()).startsWith("cred_");
            });
    assertThat(events.get(3).detail()).containsKeys("kind", "fingerprint", "version");
    JsonNode api = json(k.get("/api/v1/audit/verify", acme.adminToken().token()).body());
    assertThat(api.get("intact").asBoolean()).isTrue();
  }

  @Test
  void editedRow_isDetectedAndNamed() {
    sql("UPDATE audit_events SET actor = 'user:mallory' WHERE tenant_id = :t AND seq = 3");
    AuditLog.Verification v = k.keyroom.audit().verify(tenant);
    assertThat(v.intact()).isFalse();
    assertThat(v.badSeq()).isEqualTo(3);
    assertThat(v.problem()).contains("row 3 was edited");
    JsonNode api = json(k.get("/api/v1/audit/verify", acme.adminToken().token()).body());
    assertThat(api.get("intact").asBoolean()).isFalse();
    assertThat(api.get("badSeq").asLong()).isEqualTo(3);
  }

  @Test
  void editedDetail_isDetected() {
    sql(
        "UPDATE audit_events SET detail = '{\"kind\":\"openai\"}' WHERE tenant_id = :t AND seq = 4");
    AuditLog.Verification v = k.keyroom.audit().verify(tenant);
    assertThat(v.intact()).isFalse();
    assertThat(v.badSeq()).isEqualTo(4);
  }

  @Test
  void rewrittenRowWithRecomputedHash_isDetectedByItsSuccessor() {
    // an attacker who edits a row and fixes its own hash still breaks the link to the next row
    sql("UPDATE audit_events SET hash = '" + "a".repeat(64) + "' WHERE tenant_id = :t AND seq = 2");
    AuditLog.Verification v = k.keyroom.audit().verify(tenant);
    assertThat(v.intact()).isFalse();
    assertThat(v.badSeq()).isEqualTo(2);
  }

  @Test
  void deletedRow_isDetectedAndNamed() {
    sql("DELETE FROM audit_events WHERE tenant_id = :t AND seq = 3");
    AuditLog.Verification v = k.keyroom.audit().verify(tenant);
    assertThat(v.intact()).isFalse();
    assertThat(v.badSeq()).isEqualTo(3);
    assertThat(v.problem()).contains("row 3 is missing");
  }

  @Test
  void reorderedRows_areDetectedAndNamed() {
    sql("UPDATE audit_events SET seq = -1 WHERE tenant_id = :t AND seq = 3");
    sql("UPDATE audit_events SET seq = 3 WHERE tenant_id = :t AND seq = 4");
    sql("UPDATE audit_events SET seq = 4 WHERE tenant_id = :t AND seq = -1");
    AuditLog.Verification v = k.keyroom.audit().verify(tenant);
    assertThat(v.intact()).isFalse();
    assertThat(v.badSeq()).isEqualTo(3);
    assertThat(v.problem()).contains("row 3");
  }

  @Test
  void truncatedTail_isDetected() {
    long n = rows();
    sql("DELETE FROM audit_events WHERE tenant_id = :t AND seq > " + (n - 2));
    AuditLog.Verification v = k.keyroom.audit().verify(tenant);
    assertThat(v.intact()).isFalse();
    assertThat(v.badSeq()).isEqualTo(n - 1);
    assertThat(v.problem()).contains("ends at row " + (n - 2)).contains("head says row " + n);
  }

  @Test
  void wholeLogDeleted_isDetected() {
    sql("DELETE FROM audit_events WHERE tenant_id = :t");
    AuditLog.Verification v = k.keyroom.audit().verify(tenant);
    assertThat(v.intact()).isFalse();
    assertThat(v.badSeq()).isEqualTo(1);
  }

  @Test
  void concurrentAppends_keepOneUnbrokenChain() throws Exception {
    long before = rows();
    CredentialScope scope = CredentialScope.tenantSecrets(tenant);
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        done.add(
            pool.submit(
                () -> {
                  for (int j = 0; j < 3; j++) {
                    k.keyroom
                        .vault()
                        .create(
                            scope,
                            "env",
                            "VAR_" + n + "_" + j,
                            SecretValue.ofUtf8("concurrent-" + n + "-" + j),
                            "user:t" + n);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(rows()).isEqualTo(before + 60);
    AuditLog.Verification v = k.keyroom.audit().verify(tenant);
    assertThat(v.intact()).as(v.problem()).isTrue();
    assertThat(v.rowsChecked()).isEqualTo(before + 60);
  }

  @Test
  void batchedAppendsRacingSingleOnes_keepOneUnbrokenChain_eachBatchInOneRun() throws Exception {
    long before = rows();
    CredentialScope scope = CredentialScope.tenantSecrets(tenant);
    int threads = 8;
    int rounds = 3;
    int perBatch = 5;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int n = i;
        done.add(
            pool.submit(
                () -> {
                  for (int j = 0; j < rounds; j++) {
                    if (n % 2 == 0) {
                      List<AuditEvent> batch = new ArrayList<>();
                      for (int e = 0; e < perBatch; e++) {
                        batch.add(
                            AuditEvent.of("user:t" + n, "test.batch")
                                .with("batch", n + "-" + j)
                                .with("index", e));
                      }
                      k.keyroom
                          .db()
                          .jdbi()
                          .useTransaction(h -> k.keyroom.audit().appendAll(h, tenant, batch));
                    } else {
                      k.keyroom
                          .vault()
                          .create(
                              scope,
                              "env",
                              "VAR_" + n + "_" + j,
                              SecretValue.ofUtf8("concurrent-" + n + "-" + j),
                              "user:t" + n);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    long batched = (threads / 2) * rounds * perBatch;
    long single = (threads / 2) * rounds;
    assertThat(rows()).isEqualTo(before + batched + single);
    AuditLog.Verification v = k.keyroom.audit().verify(tenant);
    assertThat(v.intact()).as(v.problem()).isTrue();
    assertThat(v.rowsChecked()).isEqualTo(before + batched + single);
    // the tenant's head was held for the whole batch: its events are consecutive rows, in order
    List<AuditRecord> events =
        k.keyroom
            .audit()
            .query(
                tenant,
                new AuditLog.Filter(null, "test.batch", null, null, null, null, null, null, 1000));
    assertThat(events).hasSize((int) batched);
    java.util.Map<String, List<AuditRecord>> byBatch = new java.util.TreeMap<>();
    events.forEach(
        e -> byBatch.computeIfAbsent(e.detail().get("batch"), b -> new ArrayList<>()).add(e));
    assertThat(byBatch).hasSize((threads / 2) * rounds);
    byBatch.forEach(
        (b, list) -> {
          long first = list.stream().mapToLong(AuditRecord::seq).min().orElseThrow();
          for (AuditRecord e : list) {
            assertThat(e.seq() - first)
                .as("batch %s, event %s", b, e.detail().get("index"))
                .isEqualTo(Long.parseLong(e.detail().get("index")));
          }
        });
  }

  @Test
  void appendAll_outsideATransaction_isRefused_andAnEmptyBatchLeavesTheHead() {
    long before = rows();
    assertThatThrownBy(
            () ->
                k.keyroom
                    .db()
                    .jdbi()
                    .useHandle(
                        h ->
                            k.keyroom
                                .audit()
                                .appendAll(h, tenant, List.of(AuditEvent.of("user:x", "test.x")))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("inside the transaction");
    long head =
        k.keyroom.db().jdbi().inTransaction(h -> k.keyroom.audit().appendAll(h, tenant, List.of()));
    assertThat(head).isEqualTo(before);
    assertThat(rows()).isEqualTo(before);
    assertThat(k.keyroom.audit().verify(tenant).intact()).isTrue();
  }

  static JsonNode json(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
