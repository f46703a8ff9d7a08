package dev.keyroom.usage;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.Vault;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/**
 * Writes a batch of usage entries inside the caller's transaction, so a batch is written whole or
 * not at all: each credential's newest use as its "last used", the usage rows (one batched insert),
 * then the audit events (one per group of like uses, one per denial), appended per tenant.
 *
 * <p>Locks are taken in one order, the one the vault's own changes use: credential rows first (in
 * tenant and id order), the tenant's audit head last (in tenant id order). Two writers, or a writer
 * and a credential change, then queue behind each other on PostgreSQL instead of deadlocking.
 * SQLite's write transaction holds the whole file.
 */
final class UsageWriter {
  /** Something to write: a use (usage row + audit) or a denial (audit only). */
  record Entry(UsageRecord use, TenantId tenant, AuditEvent denial) {
    static Entry of(UsageRecord use) {
      return new Entry(use, use.tenant(), null);
    }

    static Entry denial(TenantId tenant, AuditEvent event) {
      return new Entry(null, tenant, event);
    }
  }

  private final UsageStore store;
  private final AuditLog audit;
  private final Vault vault;

  UsageWriter(UsageStore store, AuditLog audit, Vault vault) {
    this.store = store;
    this.audit = audit;
    this.vault = vault;
  }

  /** Writes {@code batch} in {@code h}'s transaction; returns the number of usage rows. */
  int write(Handle h, List<Entry> batch) {
    List<UsageRecord> uses = new ArrayList<>();
    Map<TenantId, List<AuditEvent>> events = new TreeMap<>(Comparator.comparing(TenantId::value));
    Map<UseGroup, List<UsageRecord>> groups = new LinkedHashMap<>();
    Map<String, UsageRecord> lastUse = new TreeMap<>();
    for (Entry e : batch) {
      if (e.use() != null) {
        UsageRecord u = e.use();
        uses.add(u);
        groups.computeIfAbsent(UseGroup.of(u), g -> new ArrayList<>()).add(u);
        if (u.credentialId() != null) {
          // Request threads queue in roughly, not exactly, the order of their clocks.
          lastUse.merge(
              u.tenant().value() + "/" + u.credentialId(), u, (a, b) -> b.at() >= a.at() ? b : a);
        }
      } else {
        events.computeIfAbsent(e.tenant(), t -> new ArrayList<>()).add(e.denial());
      }
    }
    groups.forEach(
        (g, list) ->
            events.computeIfAbsent(g.tenant(), t -> new ArrayList<>()).add(auditOf(g, list)));
    for (UsageRecord u : lastUse.values()) {
      vault.recordUse(
          h,
          u.tenant(),
          new CredentialId(u.credentialId()),
          new CredentialInfo.LastUsed(
              u.at(), u.sessionId(), u.workroomId(), u.skill(), u.userId()));
    }
    if (!uses.isEmpty()) {
      store.insertAll(h, uses);
    }
    events.forEach((tenant, list) -> audit.appendAll(h, tenant, list));
    return uses.size();
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
    Map<Integer, Integer> statuses = new TreeMap<>();
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
}
