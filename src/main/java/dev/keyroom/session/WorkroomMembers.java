package dev.keyroom.session;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Database;
import dev.keyroom.store.Identifiers;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Who may use a workroom. Only its members start sessions in it (and so receive its injected
 * secrets), whoever asks (the member, an admin, the platform); a non-admin sees only the workrooms
 * they are a member of. Admins add and remove members; a member who leaves (removed, or the
 * workroom deleted) has their live sessions in it ended in the same transaction.
 */
public final class WorkroomMembers {
  private final Database db;
  private final AuditLog audit;
  private final Clock clock;
  private volatile SessionEnding ending;

  public WorkroomMembers(Database db, AuditLog audit, Clock clock) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
  }

  /** A member of a workroom. */
  public record Member(UserId user, String name, String addedBy, long addedAt) {}

  /** A user named by id or by name (exactly one of the two). */
  public record UserRef(UserId id, String name) {
    public static UserRef parse(String id, String name, String field) {
      if ((id == null) == (name == null)) {
        throw new InvalidInputException(field, "give exactly one of userId or name");
      }
      if (id != null && !Identifiers.hasShape(id, UserId.PREFIX)) {
        throw new InvalidInputException(field + ".userId", "is not a user id (usr_…)");
      }
      return new UserRef(id == null ? null : new UserId(id), name);
    }

    public static UserRef of(UserId id) {
      return new UserRef(id, null);
    }
  }

  /** Live sessions ended because their user left the workroom (or it was deleted). */
  public record EndedSessions(List<SessionId> sessions) {
    public static final EndedSessions NONE = new EndedSessions(List.of());

    public EndedSessions {
      sessions = List.copyOf(sessions);
    }

    public int count() {
      return sessions.size();
    }

    EndedSessions plus(EndedSessions other) {
      List<SessionId> all = new ArrayList<>(sessions);
      all.addAll(other.sessions);
      return new EndedSessions(all);
    }
  }

  /** The outcome of adding a member: {@code created} is false when they already were one. */
  public record Added(Member member, boolean created) {}

  /** A member removed, and the live sessions of theirs in the workroom that were ended. */
  public record Removed(UserId user, EndedSessions ended) {}

  /** The outcome of replacing the member list. */
  public record Replaced(List<Member> members, List<Removed> removed) {
    public EndedSessions ended() {
      EndedSessions all = EndedSessions.NONE;
      for (Removed r : removed) {
        all = all.plus(r.ended());
      }
      return all;
    }
  }

  /**
   * Ends the live sessions of a workroom (of one user, or of everyone when {@code user} is null)
   * inside the caller's transaction. Wired to {@link Sessions#endLive} in the composition root.
   */
  @FunctionalInterface
  public interface SessionEnding {
    List<SessionId> endLive(
        Handle h, TenantId tenant, WorkroomId workroom, UserId user, String reason, String actor);
  }

  /** Registers how live sessions end when their user leaves a workroom (once, in the root). */
  public void onLeave(SessionEnding sessionEnding) {
    this.ending = sessionEnding;
  }

  /**
   * Refuses (403) unless {@code user} is a member of the workroom. Takes the membership row's write
   * lock, so a concurrent removal waits for this transaction and then ends what it started.
   */
  /**
   * True when {@code user} is an active member of the workroom, in one statement that also locks
   * the membership row for the rest of the transaction (a removal waits for it).
   */
  public boolean admit(Handle h, TenantId tenant, WorkroomId workroom, UserId user) {
    return h.createUpdate(
                "UPDATE workroom_members SET added_at = added_at"
                    + " WHERE tenant_id = :t AND workroom_id = :w AND user_id = :u"
                    + " AND EXISTS (SELECT 1 FROM users"
                    + " WHERE users.tenant_id = :t AND users.id = :u AND users.status = 'active')")
            .bind("t", tenant.value())
            .bind("w", workroom.value())
            .bind("u", user.value())
            .execute()
        == 1;
  }

  public void requireMember(Handle h, TenantId tenant, WorkroomId workroom, UserId user) {
    int rows =
        h.createUpdate(
                "UPDATE workroom_members SET added_at = added_at"
                    + " WHERE tenant_id = :t AND workroom_id = :w AND user_id = :u")
            .bind("t", tenant.value())
            .bind("w", workroom.value())
            .bind("u", user.value())
            .execute();
    if (rows == 0) {
      throw new ForbiddenException(
          "user "
              + user
              + " is not a member of workroom "
              + workroom
              + "; an admin adds members (POST /api/v1/workrooms/{id}/members)");
    }
  }

  public boolean isMember(TenantId tenant, WorkroomId workroom, UserId user) {
    return db.jdbi().withHandle(h -> isMember(h, tenant, workroom, user));
  }

  public boolean isMember(Handle h, TenantId tenant, WorkroomId workroom, UserId user) {
    return h.createQuery(
                "SELECT COUNT(*) FROM workroom_members WHERE tenant_id = :t AND workroom_id = :w AND user_id = :u")
            .bind("t", tenant.value())
            .bind("w", workroom.value())
            .bind("u", user.value())
            .mapTo(Integer.class)
            .one()
        > 0;
  }

  /** The workrooms {@code user} is a member of. */
  public Set<WorkroomId> workroomsOf(TenantId tenant, UserId user) {
    return db.jdbi()
        .withHandle(
            h ->
                new LinkedHashSet<>(
                    h.createQuery(
                            "SELECT workroom_id FROM workroom_members WHERE tenant_id = :t AND user_id = :u")
                        .bind("t", tenant.value())
                        .bind("u", user.value())
                        .mapTo(String.class)
                        .map(WorkroomId::new)
                        .list()));
  }

  public List<Member> list(TenantId tenant, WorkroomId workroom) {
    return db.jdbi()
        .withHandle(
            h -> {
              requireWorkroom(h, tenant, workroom);
              return list(h, tenant, workroom);
            });
  }

  /**
   * The members of a workroom just read, without checking it still exists: a workroom deleted a
   * moment ago has none (lists of workrooms race with deletes and must not fail on them).
   */
  public List<Member> of(TenantId tenant, WorkroomId workroom) {
    return db.jdbi().withHandle(h -> list(h, tenant, workroom));
  }

  public List<Member> list(Handle h, TenantId tenant, WorkroomId workroom) {
    return h.createQuery(
            "SELECT m.user_id, u.name, m.added_by, m.added_at FROM workroom_members m"
                + " JOIN users u ON u.id = m.user_id AND u.tenant_id = m.tenant_id"
                + " WHERE m.tenant_id = :t AND m.workroom_id = :w ORDER BY u.name")
        .bind("t", tenant.value())
        .bind("w", workroom.value())
        .map(
            (rs, ctx) ->
                new Member(
                    new UserId(rs.getString("user_id")),
                    rs.getString("name"),
                    rs.getString("added_by"),
                    rs.getLong("added_at")))
        .list();
  }

  public Added add(TenantId tenant, WorkroomId workroom, UserRef who, String actor) {
    return db.jdbi()
        .inTransaction(
            h -> {
              requireWorkroom(h, tenant, workroom);
              UserId user = resolve(h, tenant, who, "user", true);
              boolean created = insert(h, tenant, workroom, user, actor);
              return new Added(find(h, tenant, workroom, user).orElseThrow(), created);
            });
  }

  /** Removes a member and ends their live sessions in the workroom, in one transaction. */
  public Removed remove(TenantId tenant, WorkroomId workroom, UserId user, String actor) {
    return db.jdbi()
        .inTransaction(
            h -> {
              requireWorkroom(h, tenant, workroom);
              Removed removed = delete(h, tenant, workroom, user, actor);
              if (removed == null) {
                throw new NotFoundException("no member with that id in this workroom");
              }
              return removed;
            });
  }

  public Replaced replace(
      TenantId tenant, WorkroomId workroom, List<UserRef> members, String actor) {
    return db.jdbi()
        .inTransaction(
            h -> {
              requireWorkroom(h, tenant, workroom);
              return replace(h, tenant, workroom, members, actor);
            });
  }

  /**
   * Makes {@code members} the workroom's whole member list, inside the caller's transaction: adds
   * the new ones, removes the others (ending their live sessions in the workroom).
   */
  public Replaced replace(
      Handle h, TenantId tenant, WorkroomId workroom, List<UserRef> members, String actor) {
    Set<UserId> wanted = new LinkedHashSet<>();
    for (int i = 0; i < members.size(); i++) {
      if (members.get(i) == null) {
        throw new InvalidInputException(
            "members[" + i + "]", "must be an object with userId or name");
      }
      wanted.add(resolve(h, tenant, members.get(i), "members[" + i + "]", false));
    }
    List<Removed> removed = new ArrayList<>();
    for (Member m : list(h, tenant, workroom)) {
      if (!wanted.contains(m.user())) {
        removed.add(delete(h, tenant, workroom, m.user(), actor));
      }
    }
    for (UserId u : wanted) {
      insert(h, tenant, workroom, u, actor);
    }
    return new Replaced(list(h, tenant, workroom), removed);
  }

  /**
   * Ends every live session of the workroom inside the caller's transaction (it is being deleted).
   */
  public EndedSessions endAll(
      Handle h, TenantId tenant, WorkroomId workroom, String reason, String actor) {
    return new EndedSessions(ending().endLive(h, tenant, workroom, null, reason, actor));
  }

  private boolean insert(
      Handle h, TenantId tenant, WorkroomId workroom, UserId user, String actor) {
    int rows =
        h.createUpdate(
                "INSERT INTO workroom_members (workroom_id, tenant_id, user_id, added_by, added_at)"
                    + " VALUES (:w, :t, :u, :by, :now) ON CONFLICT (workroom_id, user_id) DO NOTHING")
            .bind("w", workroom.value())
            .bind("t", tenant.value())
            .bind("u", user.value())
            .bind("by", actor)
            .bind("now", clock.millis())
            .execute();
    if (rows == 0) {
      return false;
    }
    audit.append(
        h,
        tenant,
        AuditEvent.of(actor, "workroom.member.add")
            .target("user", user.value())
            .context(null, workroom.value(), null));
    return true;
  }

  private Removed delete(
      Handle h, TenantId tenant, WorkroomId workroom, UserId user, String actor) {
    int rows =
        h.createUpdate(
                "DELETE FROM workroom_members WHERE tenant_id = :t AND workroom_id = :w AND user_id = :u")
            .bind("t", tenant.value())
            .bind("w", workroom.value())
            .bind("u", user.value())
            .execute();
    if (rows == 0) {
      return null;
    }
    EndedSessions ended =
        new EndedSessions(
            ending().endLive(h, tenant, workroom, user, "removed from the workroom", actor));
    audit.append(
        h,
        tenant,
        AuditEvent.of(actor, "workroom.member.remove")
            .target("user", user.value())
            .context(null, workroom.value(), null)
            .with("sessionsEnded", ended.count()));
    return new Removed(user, ended);
  }

  private Optional<Member> find(Handle h, TenantId tenant, WorkroomId workroom, UserId user) {
    return list(h, tenant, workroom).stream().filter(m -> m.user().equals(user)).findFirst();
  }

  /** The user's id; an unknown user is 404 when named by the request path's resource, else 400. */
  private static UserId resolve(
      Handle h, TenantId tenant, UserRef who, String field, boolean single) {
    Optional<String[]> row =
        h.createQuery(
                "SELECT id, status FROM users WHERE tenant_id = :t"
                    + (who.id() != null ? " AND id = :key" : " AND name = :key"))
            .bind("t", tenant.value())
            .bind("key", who.id() != null ? who.id().value() : who.name())
            .map((rs, ctx) -> new String[] {rs.getString("id"), rs.getString("status")})
            .findOne();
    if (row.isEmpty()) {
      String rule = "names no user of this tenant (by " + (who.id() != null ? "id" : "name") + ")";
      throw single
          ? new NotFoundException(field + " " + rule)
          : new InvalidInputException(field, rule);
    }
    UserId id = new UserId(row.get()[0]);
    if (!"active".equals(row.get()[1])) {
      throw new ConflictException(
          field + ": user " + id + " is disabled; only active users become members");
    }
    return id;
  }

  private static void requireWorkroom(Handle h, TenantId tenant, WorkroomId workroom) {
    if (h.createQuery("SELECT COUNT(*) FROM workrooms WHERE tenant_id = :t AND id = :w")
            .bind("t", tenant.value())
            .bind("w", workroom.value())
            .mapTo(Integer.class)
            .one()
        == 0) {
      throw new NotFoundException("no workroom with that id");
    }
  }

  private SessionEnding ending() {
    SessionEnding e = ending;
    if (e == null) {
      throw new IllegalStateException(
          "no session ending registered: the composition root wires WorkroomMembers.onLeave");
    }
    return e;
  }
}
