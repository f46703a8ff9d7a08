package dev.keyroom.session;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.catalog.Home;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/** Workrooms of a tenant and the tools ("Connect your tools") each enables. */
public final class Workrooms {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}");

  private final Database db;
  private final Catalog catalog;
  private final Vault vault;
  private final AuditLog audit;
  private final Clock clock;

  public Workrooms(Database db, Catalog catalog, Vault vault, AuditLog audit, Clock clock) {
    this.db = db;
    this.catalog = catalog;
    this.vault = vault;
    this.audit = audit;
    this.clock = clock;
  }

  public Workroom create(TenantId tenant, String name, List<Workroom.Tool> tools, String actor) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException("name", "must be 1-64 characters of letters, digits, space, '.', '_' or '-'");
    }
    checkTools(tenant, tools);
    WorkroomId id = WorkroomId.generate();
    long now = clock.millis();
    return db.jdbi().inTransaction(h -> {
      if (h.createQuery("SELECT COUNT(*) FROM workrooms WHERE tenant_id = :t AND name = :n")
          .bind("t", tenant.value()).bind("n", name).mapTo(Integer.class).one() > 0) {
        throw new ConflictException("name: a workroom named '" + name + "' already exists");
      }
      h.createUpdate("INSERT INTO workrooms (id, tenant_id, name, created_at, updated_at) VALUES (:id, :t, :n, :now, :now)")
          .bind("id", id.value()).bind("t", tenant.value()).bind("n", name).bind("now", now).execute();
      writeTools(h, tenant, id, tools);
      audit.append(h, tenant, AuditEvent.of(actor, "workroom.create").target("workroom", id.value()).context(null, id.value(), null)
          .with("name", name).with("tools", String.join(",", tools.stream().map(Workroom.Tool::kind).toList())));
      return find(h, tenant, id).orElseThrow();
    });
  }

  /** Replaces the workroom's tools. */
  public Workroom setTools(TenantId tenant, WorkroomId id, List<Workroom.Tool> tools, String actor) {
    checkTools(tenant, tools);
    return db.jdbi().inTransaction(h -> {
      find(h, tenant, id).orElseThrow(() -> new NotFoundException("no workroom with that id"));
      h.createUpdate("DELETE FROM workroom_tools WHERE workroom_id = :w AND tenant_id = :t")
          .bind("w", id.value()).bind("t", tenant.value()).execute();
      writeTools(h, tenant, id, tools);
      h.createUpdate("UPDATE workrooms SET updated_at = :now WHERE id = :w").bind("now", clock.millis()).bind("w", id.value()).execute();
      audit.append(h, tenant, AuditEvent.of(actor, "workroom.tools").target("workroom", id.value()).context(null, id.value(), null)
          .with("tools", String.join(",", tools.stream().map(Workroom.Tool::kind).toList())));
      return find(h, tenant, id).orElseThrow();
    });
  }

  public Workroom get(TenantId tenant, WorkroomId id) {
    return db.jdbi().withHandle(h -> find(h, tenant, id)).orElseThrow(() -> new NotFoundException("no workroom with that id"));
  }

  public List<Workroom> list(TenantId tenant) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM workrooms WHERE tenant_id = :t ORDER BY name")
        .bind("t", tenant.value()).mapTo(String.class).map(WorkroomId::new).list()
        .stream().map(w -> find(h, tenant, w).orElseThrow()).toList());
  }

  public Optional<Workroom> find(Handle h, TenantId tenant, WorkroomId id) {
    return h.createQuery("SELECT * FROM workrooms WHERE tenant_id = :t AND id = :id")
        .bind("t", tenant.value()).bind("id", id.value())
        .map((rs, ctx) -> new Workroom(new WorkroomId(rs.getString("id")), tenant, rs.getString("name"),
            List.of(), rs.getLong("created_at"), rs.getLong("updated_at")))
        .findOne()
        .map(w -> new Workroom(w.id(), w.tenant(), w.name(), tools(h, tenant, w.id()), w.createdAt(), w.updatedAt()));
  }

  private static List<Workroom.Tool> tools(Handle h, TenantId tenant, WorkroomId id) {
    return h.createQuery("SELECT kind, credential_id FROM workroom_tools WHERE workroom_id = :w AND tenant_id = :t ORDER BY kind")
        .bind("w", id.value()).bind("t", tenant.value())
        .map((rs, ctx) -> new Workroom.Tool(rs.getString("kind"),
            rs.getString("credential_id") == null ? null : new CredentialId(rs.getString("credential_id"))))
        .list();
  }

  private void writeTools(Handle h, TenantId tenant, WorkroomId id, List<Workroom.Tool> tools) {
    for (Workroom.Tool t : tools) {
      h.createUpdate("INSERT INTO workroom_tools (workroom_id, tenant_id, kind, credential_id) VALUES (:w, :t, :k, :c)")
          .bind("w", id.value()).bind("t", tenant.value()).bind("k", t.kind())
          .bind("c", t.credential() == null ? null : t.credential().value()).execute();
    }
  }

  private void checkTools(TenantId tenant, List<Workroom.Tool> tools) {
    if (tools == null) {
      throw new InvalidInputException("tools", "is required (may be empty)");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < tools.size(); i++) {
      Workroom.Tool t = tools.get(i);
      String field = "tools[" + i + "]";
      CredentialKind kind = catalog.require(t.kind(), field + ".kind");
      if (!seen.add(kind.id())) {
        throw new ConflictException(field + ".kind: tool '" + kind.id() + "' is listed twice");
      }
      if (kind.home() == Home.USER) {
        if (t.credential() != null) {
          throw new InvalidInputException(field + ".secretId", "kind '" + kind.id()
              + "' uses each person's own integration; it takes no tenant secret");
        }
        continue;
      }
      if (t.credential() == null) {
        throw new InvalidInputException(field + ".secretId", "a tenant secret of kind '" + kind.id() + "' is required");
      }
      CredentialInfo c;
      try {
        c = vault.get(CredentialScope.tenantSecrets(tenant), t.credential());
      } catch (NotFoundException e) {
        throw new InvalidInputException(field + ".secretId", "no tenant secret with that id");
      }
      if (!c.kind().equals(kind.id())) {
        throw new InvalidInputException(field + ".secretId", "secret is of kind '" + c.kind() + "', not '" + kind.id() + "'");
      }
    }
  }
}
