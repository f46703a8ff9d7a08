package dev.keyroom.web;

import dev.keyroom.audit.AuditLog;
import dev.keyroom.audit.AuditRecord;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Audit: the tenant's log with filters and the state of its hash chain. */
public final class AuditPages {
  private static final int PAGE = 100;

  /** The filters as the form holds them. */
  public record Filters(String actor, String action, String credential, String workroom, String from, String to) {}

  private final WebRouter router;
  private final AuditLog audit;
  private final Tenancy tenancy;
  private final Workrooms workrooms;
  private final Vault vault;

  AuditPages(WebRouter router, AuditLog audit, Tenancy tenancy, Workrooms workrooms, Vault vault) {
    this.router = router;
    this.audit = audit;
    this.tenancy = tenancy;
    this.workrooms = workrooms;
    this.vault = vault;
  }

  void register() {
    router.page("/audit", WebRouter.Access.ADMIN, this::show);
  }

  private void show(Context ctx, WebUser user) {
    Filters f = new Filters(q(ctx, "actor"), q(ctx, "action"), q(ctx, "credential"), q(ctx, "workroom"), q(ctx, "from"), q(ctx, "to"));
    String error = null;
    Long from = null;
    Long to = null;
    try {
      from = f.from() == null ? null : LocalDate.parse(f.from()).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      to = f.to() == null ? null : LocalDate.parse(f.to()).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      error = "Dates must look like 2026-01-31.";
    }
    List<User> users = tenancy.users(user.tenant());
    List<Workroom> rooms = workrooms.list(user.tenant());
    String actor = f.actor() == null ? null : f.actor().startsWith("user:") || f.actor().contains(":") ? f.actor()
        : users.stream().filter(u -> u.name().equals(f.actor())).findFirst().map(u -> "user:" + u.id().value()).orElse(f.actor());
    List<AuditRecord> rows = error != null ? List.of() : audit.query(user.tenant(),
        new AuditLog.Filter(actor, f.action(), f.credential(), null, f.workroom(), from, to, null, PAGE));
    Map<String, String> names = users.stream().collect(Collectors.toMap(u -> "user:" + u.id().value(), User::name));
    Map<String, String> targets = new java.util.HashMap<>();
    users.forEach(u -> targets.put(u.id().value(), u.name()));
    rooms.forEach(w -> targets.put(w.id().value(), w.name()));
    List<dev.keyroom.vault.CredentialInfo> secrets = vault.list(CredentialScope.tenantSecrets(user.tenant()));
    secrets.forEach(c -> targets.put(c.id(), c.name()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("filters", f);
    m.put("rows", rows);
    m.put("names", names);
    m.put("targets", targets);
    m.put("secrets", secrets);
    m.put("users", users);
    m.put("workrooms", rooms);
    m.put("verification", audit.verify(user.tenant()));
    m.put("error", error);
    m.put("limit", PAGE);
    router.render(ctx, user, error == null ? 200 : 400, "audit.jte", "Audit", "audit", m);
  }

  private static String q(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
