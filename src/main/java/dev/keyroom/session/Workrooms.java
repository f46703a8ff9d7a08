package dev.keyroom.session;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.Principal;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.Vault;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/** Workrooms of a tenant: the tools each enables ("Connect your tools") and its network access. */
public final class Workrooms {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}");

  private final Database db;
  private final Catalog catalog;
  private final WorkroomChecks checks;
  private final AuditLog audit;
  private final Clock clock;
  private final WorkroomMembers members;

  public Workrooms(
      Database db,
      Catalog catalog,
      Vault vault,
      AuditLog audit,
      Clock clock,
      EnvironmentContributors contributors,
      WorkroomMembers members) {
    this.db = db;
    this.catalog = catalog;
    this.checks = new WorkroomChecks(catalog, vault, contributors);
    this.audit = audit;
    this.clock = clock;
    this.members = members;
  }

  /**
   * A workroom's configuration as an admin writes it. In an update, null parts stay as they are;
   * {@code members}, when given, is the whole member list.
   */
  public record Spec(
      String name,
      List<Workroom.Tool> tools,
      Workroom.Network network,
      List<WorkroomMembers.UserRef> members) {
    public Spec(String name, List<Workroom.Tool> tools, Workroom.Network network) {
      this(name, tools, network, null);
    }
  }

  /** A changed workroom and the live sessions ended because their users stopped being members. */
  public record Changed(Workroom workroom, WorkroomMembers.EndedSessions ended) {}

  /** Who may use each workroom. */
  public WorkroomMembers members() {
    return members;
  }

  /**
   * Refuses (403) unless {@code user} is a member of the workroom; see {@link
   * WorkroomMembers#requireMember}.
   */
  public void requireMember(Handle h, TenantId tenant, WorkroomId workroom, UserId user) {
    members.requireMember(h, tenant, workroom, user);
  }

  public Workroom create(TenantId tenant, String name, List<Workroom.Tool> tools, String actor) {
    return create(tenant, new Spec(name, tools, Workroom.Network.NONE), actor);
  }

  public Workroom create(TenantId tenant, Spec spec, String actor) {
    checkName(spec.name());
    if (spec.tools() == null) {
      throw new InvalidInputException("tools", "is required (may be empty)");
    }
    Workroom.Network network = spec.network() == null ? Workroom.Network.NONE : spec.network();
    WorkroomId id = WorkroomId.generate();
    checks.check(tenant, new Workroom(id, tenant, spec.name(), spec.tools(), network, 0, 0));
    long now = clock.millis();
    return db.jdbi()
        .inTransaction(
            h -> {
              requireFreeName(h, tenant, spec.name(), null);
              h.createUpdate(
                      "INSERT INTO workrooms (id, tenant_id, name, created_at, updated_at, tailscale_credential_id)"
                          + " VALUES (:id, :t, :n, :now, :now, :ts)")
                  .bind("id", id.value())
                  .bind("t", tenant.value())
                  .bind("n", spec.name())
                  .bind("now", now)
                  .bind("ts", network.tailscale() == null ? null : network.tailscale().value())
                  .execute();
              writeTools(h, tenant, id, spec.tools());
              writeEndpoints(h, tenant, id, network.endpoints());
              Workroom created = find(h, tenant, id).orElseThrow();
              audit.append(h, tenant, describe(AuditEvent.of(actor, "workroom.create"), created));
              if (spec.members() != null) {
                members.replace(h, tenant, id, spec.members(), actor);
              }
              return created;
            });
  }

  /** Replaces the workroom's tools. */
  public Workroom setTools(
      TenantId tenant, WorkroomId id, List<Workroom.Tool> tools, String actor) {
    if (tools == null) {
      throw new InvalidInputException("tools", "is required (may be empty)");
    }
    return update(tenant, id, new Spec(null, tools, null), actor);
  }

  /**
   * Changes name, tools and/or network access; the whole result is checked before it is written.
   */
  public Workroom update(TenantId tenant, WorkroomId id, Spec spec, String actor) {
    return change(tenant, id, spec, actor).workroom();
  }

  /**
   * As {@link #update}, and when {@code spec.members()} is given it becomes the member list: the
   * live sessions of those no longer members end in the same transaction.
   */
  public Changed change(TenantId tenant, WorkroomId id, Spec spec, String actor) {
    if (spec.name() != null) {
      checkName(spec.name());
    }
    Workroom before = get(tenant, id);
    Workroom after =
        new Workroom(
            id,
            tenant,
            spec.name() == null ? before.name() : spec.name(),
            spec.tools() == null ? before.tools() : spec.tools(),
            spec.network() == null ? before.network() : spec.network(),
            before.createdAt(),
            before.updatedAt());
    checks.check(tenant, after);
    return db.jdbi()
        .inTransaction(
            h -> {
              find(h, tenant, id)
                  .orElseThrow(() -> new NotFoundException("no workroom with that id"));
              requireFreeName(h, tenant, after.name(), id);
              h.createUpdate(
                      "UPDATE workrooms SET name = :n, tailscale_credential_id = :ts, updated_at = :now WHERE id = :w AND tenant_id = :t")
                  .bind("n", after.name())
                  .bind(
                      "ts",
                      after.network().tailscale() == null
                          ? null
                          : after.network().tailscale().value())
                  .bind("now", clock.millis())
                  .bind("w", id.value())
                  .bind("t", tenant.value())
                  .execute();
              h.createUpdate("DELETE FROM workroom_tools WHERE workroom_id = :w AND tenant_id = :t")
                  .bind("w", id.value())
                  .bind("t", tenant.value())
                  .execute();
              h.createUpdate(
                      "DELETE FROM workroom_endpoints WHERE workroom_id = :w AND tenant_id = :t")
                  .bind("w", id.value())
                  .bind("t", tenant.value())
                  .execute();
              writeTools(h, tenant, id, after.tools());
              writeEndpoints(h, tenant, id, after.network().endpoints());
              Workroom updated = find(h, tenant, id).orElseThrow();
              audit.append(h, tenant, describe(AuditEvent.of(actor, "workroom.update"), updated));
              WorkroomMembers.EndedSessions ended =
                  spec.members() == null
                      ? WorkroomMembers.EndedSessions.NONE
                      : members.replace(h, tenant, id, spec.members(), actor).ended();
              return new Changed(updated, ended);
            });
  }

  /** Deletes the workroom and ends its live sessions, in one transaction; says which ended. */
  public WorkroomMembers.EndedSessions delete(TenantId tenant, WorkroomId id, String actor) {
    return db.jdbi()
        .inTransaction(
            h -> {
              find(h, tenant, id)
                  .orElseThrow(() -> new NotFoundException("no workroom with that id"));
              WorkroomMembers.EndedSessions ended =
                  members.endAll(h, tenant, id, "workroom deleted", actor);
              h.createUpdate("DELETE FROM workrooms WHERE id = :w AND tenant_id = :t")
                  .bind("w", id.value())
                  .bind("t", tenant.value())
                  .execute();
              audit.append(
                  h,
                  tenant,
                  AuditEvent.of(actor, "workroom.delete")
                      .target("workroom", id.value())
                      .context(null, id.value(), null)
                      .with("sessionsEnded", ended.count()));
              return ended;
            });
  }

  public Workroom get(TenantId tenant, WorkroomId id) {
    return db.jdbi()
        .withHandle(h -> find(h, tenant, id))
        .orElseThrow(() -> new NotFoundException("no workroom with that id"));
  }

  /**
   * The workroom as {@code user} may see it: admins and the platform see every workroom of the
   * tenant; anyone else only those they are a member of. Another is 404, as if it did not exist.
   */
  public Workroom get(TenantId tenant, WorkroomId id, Viewer viewer) {
    Workroom w = get(tenant, id);
    if (!viewer.seesEverything() && !members.isMember(tenant, id, viewer.user())) {
      throw new NotFoundException("no workroom with that id");
    }
    return w;
  }

  public List<Workroom> list(TenantId tenant) {
    return db.jdbi()
        .withHandle(
            h ->
                h
                    .createQuery("SELECT id FROM workrooms WHERE tenant_id = :t ORDER BY name")
                    .bind("t", tenant.value())
                    .mapTo(String.class)
                    .map(WorkroomId::new)
                    .list()
                    .stream()
                    // one deleted since the ids were read is left out, not an error
                    .flatMap(w -> find(h, tenant, w).stream())
                    .toList());
  }

  /** The workrooms {@code viewer} may see (see {@link #get(TenantId, WorkroomId, Viewer)}). */
  public List<Workroom> list(TenantId tenant, Viewer viewer) {
    if (viewer.seesEverything()) {
      return list(tenant);
    }
    Set<WorkroomId> mine = members.workroomsOf(tenant, viewer.user());
    return list(tenant).stream().filter(w -> mine.contains(w.id())).toList();
  }

  /** Who looks at workrooms: an admin or the platform (every workroom), or a user (their own). */
  public record Viewer(UserId user, boolean seesEverything) {
    public static Viewer of(Principal p) {
      return new Viewer(p.user(), p.isAdmin() || p.service());
    }
  }

  /**
   * The workroom with its tools and network: two statements whatever it holds — the workroom row
   * joined with its tools (one row per tool), then its endpoints.
   */
  public Optional<Workroom> find(Handle h, TenantId tenant, WorkroomId id) {
    List<Workroom> rows =
        h.createQuery(
                "SELECT w.id, w.name, w.tailscale_credential_id, w.created_at, w.updated_at,"
                    + " t.kind AS tool_kind, t.credential_id AS tool_credential"
                    + " FROM workrooms w LEFT JOIN workroom_tools t"
                    + " ON t.workroom_id = w.id AND t.tenant_id = w.tenant_id"
                    + " WHERE w.tenant_id = :t AND w.id = :id ORDER BY t.position, t.kind")
            .bind("t", tenant.value())
            .bind("id", id.value())
            .map(
                (rs, ctx) ->
                    new Workroom(
                        new WorkroomId(rs.getString("id")),
                        tenant,
                        rs.getString("name"),
                        rs.getString("tool_kind") == null
                            ? List.of()
                            : List.of(
                                new Workroom.Tool(
                                    rs.getString("tool_kind"),
                                    rs.getString("tool_credential") == null
                                        ? null
                                        : new CredentialId(rs.getString("tool_credential")))),
                        new Workroom.Network(
                            rs.getString("tailscale_credential_id") == null
                                ? null
                                : new CredentialId(rs.getString("tailscale_credential_id")),
                            List.of()),
                        rs.getLong("created_at"),
                        rs.getLong("updated_at")))
            .list();
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    Workroom w = rows.get(0);
    return Optional.of(
        new Workroom(
            w.id(),
            w.tenant(),
            w.name(),
            rows.stream().flatMap(r -> r.tools().stream()).toList(),
            new Workroom.Network(w.network().tailscale(), endpoints(h, tenant, w.id())),
            w.createdAt(),
            w.updatedAt()));
  }

  private static List<Workroom.Endpoint> endpoints(Handle h, TenantId tenant, WorkroomId id) {
    return h.createQuery(
            "SELECT * FROM workroom_endpoints WHERE workroom_id = :w AND tenant_id = :t ORDER BY position")
        .bind("w", id.value())
        .bind("t", tenant.value())
        .map(
            (rs, ctx) ->
                new Workroom.Endpoint(
                    rs.getString("name"),
                    rs.getString("host"),
                    rs.getInt("port"),
                    rs.getString("protocol"),
                    rs.getString("credential_id") == null
                        ? null
                        : new CredentialId(rs.getString("credential_id")),
                    rs.getString("db_user"),
                    rs.getString("db_name")))
        .list();
  }

  private static void writeTools(
      Handle h, TenantId tenant, WorkroomId id, List<Workroom.Tool> tools) {
    int position = 0;
    for (Workroom.Tool t : tools) {
      String credential = t.credential() == null ? null : t.credential().value();
      h.createUpdate(
              "INSERT INTO workroom_tools (workroom_id, tenant_id, kind, slot, credential_id, position)"
                  + " VALUES (:w, :t, :k, :slot, :c, :pos)")
          .bind("w", id.value())
          .bind("t", tenant.value())
          .bind("k", t.kind())
          .bind("slot", credential == null ? "" : credential)
          .bind("c", credential)
          .bind("pos", position++)
          .execute();
    }
  }

  private static void writeEndpoints(
      Handle h, TenantId tenant, WorkroomId id, List<Workroom.Endpoint> endpoints) {
    int position = 0;
    for (Workroom.Endpoint e : endpoints) {
      h.createUpdate(
              "INSERT INTO workroom_endpoints (workroom_id, tenant_id, name, host, port, protocol, credential_id,"
                  + " db_user, db_name, position) VALUES (:w, :t, :n, :host, :port, :proto, :c, :u, :d, :pos)")
          .bind("w", id.value())
          .bind("t", tenant.value())
          .bind("n", e.name())
          .bind("host", e.host())
          .bind("port", e.port())
          .bind("proto", e.protocol())
          .bind("c", e.password() == null ? null : e.password().value())
          .bind("u", e.user())
          .bind("d", e.database())
          .bind("pos", position++)
          .execute();
    }
  }

  private static void requireFreeName(Handle h, TenantId tenant, String name, WorkroomId except) {
    if (h.createQuery(
                "SELECT COUNT(*) FROM workrooms WHERE tenant_id = :t AND name = :n AND id <> :id")
            .bind("t", tenant.value())
            .bind("n", name)
            .bind("id", except == null ? "" : except.value())
            .mapTo(Integer.class)
            .one()
        > 0) {
      throw new ConflictException("name: a workroom named '" + name + "' already exists");
    }
  }

  private static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "name", "must be 1-64 characters of letters, digits, space, '.', '_' or '-'");
    }
  }

  private static AuditEvent describe(AuditEvent e, Workroom w) {
    return e.target("workroom", w.id().value())
        .context(null, w.id().value(), null)
        .with("name", w.name())
        .with(
            "tools",
            String.join(
                ",",
                w.tools().stream()
                    .map(
                        t ->
                            t.kind() + (t.credential() == null ? "" : ":" + t.credential().value()))
                    .toList()))
        .with(
            "tailscale", w.network().tailscale() == null ? "none" : w.network().tailscale().value())
        .with(
            "endpoints",
            String.join(
                ",",
                w.network().endpoints().stream()
                    .map(p -> p.name() + "=" + p.protocol() + "://" + p.host() + ":" + p.port())
                    .toList()));
  }

  Map<String, String> variableOwners(TenantId tenant, Workroom w) {
    return checks.check(tenant, w);
  }
}
