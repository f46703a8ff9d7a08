package dev.keyroom.vault;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.TenantId;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/** Skills of a tenant: named capabilities and the credential kinds each uses. */
public final class Skills {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private final Database db;
  private final Catalog catalog;
  private final AuditLog audit;
  private final Clock clock;

  public Skills(Database db, Catalog catalog, AuditLog audit, Clock clock) {
    this.db = db;
    this.catalog = catalog;
    this.audit = audit;
    this.clock = clock;
  }

  public Skill create(
      TenantId tenant, String name, String description, List<String> kinds, String actor) {
    checkName(name);
    List<String> checked = checkKinds(kinds);
    String desc = checkDescription(description);
    long now = clock.millis();
    SkillId id = SkillId.generate();
    return db.jdbi()
        .inTransaction(
            h -> {
              if (find(h, tenant, name).isPresent()) {
                throw new ConflictException("name: a skill named '" + name + "' already exists");
              }
              h.createUpdate(
                      "INSERT INTO skills (id, tenant_id, name, description, kinds, created_at, updated_at)"
                          + " VALUES (:id, :t, :n, :d, :k, :now, :now)")
                  .bind("id", id.value())
                  .bind("t", tenant.value())
                  .bind("n", name)
                  .bind("d", desc)
                  .bind("k", String.join(",", checked))
                  .bind("now", now)
                  .execute();
              audit.append(
                  h,
                  tenant,
                  AuditEvent.of(actor, "skill.create")
                      .target("skill", id.value())
                      .with("name", name)
                      .with("kinds", String.join(",", checked)));
              return get(h, tenant, id);
            });
  }

  public List<Skill> list(TenantId tenant) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT * FROM skills WHERE tenant_id = :t ORDER BY name")
                    .bind("t", tenant.value())
                    .map((rs, ctx) -> skill(rs))
                    .list());
  }

  public Skill get(TenantId tenant, SkillId id) {
    return db.jdbi().withHandle(h -> get(h, tenant, id));
  }

  public Skill update(
      TenantId tenant, SkillId id, String description, List<String> kinds, String actor) {
    List<String> checked = kinds == null ? null : checkKinds(kinds);
    String desc = description == null ? null : checkDescription(description);
    return db.jdbi()
        .inTransaction(
            h -> {
              Skill before = get(h, tenant, id);
              h.createUpdate(
                      "UPDATE skills SET description = :d, kinds = :k, updated_at = :now WHERE tenant_id = :t AND id = :id")
                  .bind("d", desc == null ? before.description() : desc)
                  .bind("k", String.join(",", checked == null ? before.kinds() : checked))
                  .bind("now", clock.millis())
                  .bind("t", tenant.value())
                  .bind("id", id.value())
                  .execute();
              Skill after = get(h, tenant, id);
              audit.append(
                  h,
                  tenant,
                  AuditEvent.of(actor, "skill.update")
                      .target("skill", id.value())
                      .with("kinds", String.join(",", after.kinds())));
              return after;
            });
  }

  public void delete(TenantId tenant, SkillId id, String actor) {
    db.jdbi()
        .useTransaction(
            h -> {
              Skill s = get(h, tenant, id);
              h.createUpdate("DELETE FROM skills WHERE tenant_id = :t AND id = :id")
                  .bind("t", tenant.value())
                  .bind("id", id.value())
                  .execute();
              audit.append(
                  h,
                  tenant,
                  AuditEvent.of(actor, "skill.delete")
                      .target("skill", id.value())
                      .with("name", s.name()));
            });
  }

  /** Refuses when the named skill does not exist or does not use {@code kind}. */
  void requireUses(Handle h, TenantId tenant, String skillName, String kind) {
    Skill s =
        find(h, tenant, skillName)
            .orElseThrow(
                () ->
                    new ForbiddenException(
                        "skill '" + skillName + "' does not exist in this tenant"));
    if (!s.kinds().contains(kind)) {
      throw new ForbiddenException(
          "skill '" + skillName + "' does not use credential kind '" + kind + "'");
    }
  }

  private Optional<Skill> find(Handle h, TenantId tenant, String name) {
    return h.createQuery("SELECT * FROM skills WHERE tenant_id = :t AND name = :n")
        .bind("t", tenant.value())
        .bind("n", name)
        .map((rs, ctx) -> skill(rs))
        .findOne();
  }

  private Skill get(Handle h, TenantId tenant, SkillId id) {
    return h.createQuery("SELECT * FROM skills WHERE tenant_id = :t AND id = :id")
        .bind("t", tenant.value())
        .bind("id", id.value())
        .map((rs, ctx) -> skill(rs))
        .findOne()
        .orElseThrow(() -> new NotFoundException("no skill with that id"));
  }

  private List<String> checkKinds(List<String> kinds) {
    if (kinds == null) {
      throw new InvalidInputException(
          "kinds", "is required (a list of credential kinds, may be empty)");
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (int i = 0; i < kinds.size(); i++) {
      out.add(catalog.require(kinds.get(i), "kinds[" + i + "]").id());
    }
    return List.copyOf(out);
  }

  private static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "name", "must be 1-64 characters of lowercase letters, digits, '.', '_' or '-'");
    }
  }

  private static String checkDescription(String d) {
    if (d == null) {
      return "";
    }
    if (d.length() > 500) {
      throw new InvalidInputException("description", "must be at most 500 characters");
    }
    return d;
  }

  private static Skill skill(java.sql.ResultSet rs) throws java.sql.SQLException {
    String k = rs.getString("kinds");
    return new Skill(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("description"),
        k.isEmpty() ? List.of() : Arrays.asList(k.split(",")),
        rs.getLong("created_at"),
        rs.getLong("updated_at"));
  }
}
