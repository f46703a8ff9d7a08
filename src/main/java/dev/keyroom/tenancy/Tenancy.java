package dev.keyroom.tenancy;

import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.crypto.TenantKeys;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Database;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tenants and their users. Every user query is scoped by a tenant id. */
public final class Tenancy {
  private static final Logger LOG = LoggerFactory.getLogger(Tenancy.class);
  private static final Pattern TENANT_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");

  private final Database db;
  private final TenantKeys keys;
  private final AuditLog audit;
  private final ApiTokens tokens;
  private final Clock clock;
  private final List<AccessEnd> accessEnds = new java.util.concurrent.CopyOnWriteArrayList<>();

  public Tenancy(Database db, TenantKeys keys, AuditLog audit, ApiTokens tokens, Clock clock) {
    this.db = db;
    this.keys = keys;
    this.audit = audit;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** Registers something that ends, in the same transaction, when a user is disabled. */
  public void onAccessEnd(AccessEnd end) {
    accessEnds.add(end);
  }

  /** A new tenant, its first admin and the admin's first token (shown once). */
  public record Founded(Tenant tenant, User admin, ApiTokens.Issued adminToken) {}

  public Founded createTenant(String name, String adminName, String actor) {
    if (name == null || !TENANT_NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "name",
          "tenant name must be 1-63 lowercase letters, digits or '-', starting with a letter or digit");
    }
    checkUserName(adminName, "admin");
    long now = clock.millis();
    return db.jdbi()
        .inTransaction(
            h -> {
              if (h.createQuery("SELECT COUNT(*) FROM tenants WHERE name = :n")
                      .bind("n", name)
                      .mapTo(Integer.class)
                      .one()
                  > 0) {
                throw new ConflictException("a tenant named '" + name + "' already exists");
              }
              Tenant tenant = new Tenant(TenantId.generate(), name, now);
              h.createUpdate("INSERT INTO tenants (id, name, created_at) VALUES (:id, :name, :now)")
                  .bind("id", tenant.id().value())
                  .bind("name", name)
                  .bind("now", now)
                  .execute();
              keys.createFor(h, tenant.id(), now);
              audit.append(
                  h,
                  tenant.id(),
                  AuditEvent.of(actor, "tenant.create")
                      .target("tenant", tenant.id().value())
                      .with("name", name));
              User admin = insertUser(h, tenant.id(), adminName, Role.ADMIN, now);
              audit.append(
                  h,
                  tenant.id(),
                  AuditEvent.of(actor, "user.create")
                      .target("user", admin.id().value())
                      .with("role", "admin")
                      .with("name", adminName));
              ApiTokens.Issued token =
                  tokens.issue(
                      h, tenant.id(), admin.id(), TokenFormat.USER, "first admin token", actor);
              return new Founded(tenant, admin, token);
            });
  }

  public boolean isEmpty() {
    return db.jdbi()
            .withHandle(
                h -> h.createQuery("SELECT COUNT(*) FROM tenants").mapTo(Integer.class).one())
        == 0;
  }

  public List<Tenant> tenants() {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT id, name, created_at FROM tenants ORDER BY name")
                    .map(
                        (rs, ctx) ->
                            new Tenant(
                                new TenantId(rs.getString("id")),
                                rs.getString("name"),
                                rs.getLong("created_at")))
                    .list());
  }

  public Optional<Tenant> findTenantByName(String name) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT id, name, created_at FROM tenants WHERE name = :n")
                    .bind("n", name)
                    .map(
                        (rs, ctx) ->
                            new Tenant(
                                new TenantId(rs.getString("id")),
                                rs.getString("name"),
                                rs.getLong("created_at")))
                    .findOne());
  }

  public Tenant requireTenantByName(String name) {
    return findTenantByName(name)
        .orElseThrow(() -> new NotFoundException("no tenant named '" + name + "'"));
  }

  /**
   * Deletes a tenant and everything it owns. Its data keyset goes first, in the same transaction,
   * so every ciphertext it ever wrote is unreadable (crypto-shredding) even if a copy survives.
   */
  public void deleteTenant(TenantId tenant) {
    db.jdbi()
        .useTransaction(
            h -> {
              int keysets =
                  h.createUpdate("DELETE FROM tenant_keys WHERE tenant_id = :t")
                      .bind("t", tenant.value())
                      .execute();
              h.createUpdate("DELETE FROM credential_versions WHERE tenant_id = :t")
                  .bind("t", tenant.value())
                  .execute();
              h.createUpdate("DELETE FROM audit_events WHERE tenant_id = :t")
                  .bind("t", tenant.value())
                  .execute();
              int rows =
                  h.createUpdate("DELETE FROM tenants WHERE id = :t")
                      .bind("t", tenant.value())
                      .execute();
              if (rows == 0) {
                throw new NotFoundException("no tenant with that id");
              }
              LOG.info("tenant {} deleted; {} data keyset(s) destroyed", tenant, keysets);
            });
    keys.forget(tenant);
  }

  public User createUser(TenantId tenant, String name, Role role, String actor) {
    checkUserName(name, "name");
    long now = clock.millis();
    return db.jdbi()
        .inTransaction(
            h -> {
              if (h.createQuery("SELECT COUNT(*) FROM users WHERE tenant_id = :t AND name = :n")
                      .bind("t", tenant.value())
                      .bind("n", name)
                      .mapTo(Integer.class)
                      .one()
                  > 0) {
                throw new ConflictException(
                    "a user named '" + name + "' already exists in this tenant");
              }
              User user = insertUser(h, tenant, name, role, now);
              audit.append(
                  h,
                  tenant,
                  AuditEvent.of(actor, "user.create")
                      .target("user", user.id().value())
                      .with("role", role.wire())
                      .with("name", name));
              return user;
            });
  }

  public List<User> users(TenantId tenant) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT * FROM users WHERE tenant_id = :t ORDER BY name")
                    .bind("t", tenant.value())
                    .map((rs, ctx) -> user(rs))
                    .list());
  }

  public User user(TenantId tenant, UserId id) {
    return db.jdbi()
        .withHandle(h -> findUser(h, tenant, id))
        .orElseThrow(() -> new NotFoundException("no user with that id"));
  }

  public Optional<User> findUser(Handle h, TenantId tenant, UserId id) {
    return h.createQuery("SELECT * FROM users WHERE tenant_id = :t AND id = :id")
        .bind("t", tenant.value())
        .bind("id", id.value())
        .map((rs, ctx) -> user(rs))
        .findOne();
  }

  public User changeRole(TenantId tenant, UserId id, Role role, String actor) {
    return db.jdbi()
        .inTransaction(
            h -> {
              User before =
                  findUser(h, tenant, id)
                      .orElseThrow(() -> new NotFoundException("no user with that id"));
              if (before.role() == Role.ADMIN && role != Role.ADMIN) {
                requireAnotherActiveAdmin(h, tenant, id);
              }
              h.createUpdate("UPDATE users SET role = :r WHERE tenant_id = :t AND id = :id")
                  .bind("r", role.wire())
                  .bind("t", tenant.value())
                  .bind("id", id.value())
                  .execute();
              audit.append(
                  h,
                  tenant,
                  AuditEvent.of(actor, "user.role")
                      .target("user", id.value())
                      .with("from", before.role().wire())
                      .with("to", role.wire()));
              return findUser(h, tenant, id).orElseThrow();
            });
  }

  /**
   * Disables a user: their tokens are refused, and everything registered with {@link #onAccessEnd}
   * (live sessions, web sign-ins) ends in the same transaction.
   */
  public User disable(TenantId tenant, UserId id, String actor) {
    return db.jdbi()
        .inTransaction(
            h -> {
              User before =
                  findUser(h, tenant, id)
                      .orElseThrow(() -> new NotFoundException("no user with that id"));
              if (before.role() == Role.ADMIN && before.isActive()) {
                requireAnotherActiveAdmin(h, tenant, id);
              }
              h.createUpdate(
                      "UPDATE users SET status = 'disabled' WHERE tenant_id = :t AND id = :id")
                  .bind("t", tenant.value())
                  .bind("id", id.value())
                  .execute();
              audit.append(
                  h, tenant, AuditEvent.of(actor, "user.disable").target("user", id.value()));
              for (AccessEnd end : accessEnds) {
                end.endFor(h, tenant, id, "user disabled", actor);
              }
              return findUser(h, tenant, id).orElseThrow();
            });
  }

  private void requireAnotherActiveAdmin(Handle h, TenantId tenant, UserId id) {
    int others =
        h.createQuery(
                "SELECT COUNT(*) FROM users WHERE tenant_id = :t AND role = 'admin'"
                    + " AND status = 'active' AND id <> :id")
            .bind("t", tenant.value())
            .bind("id", id.value())
            .mapTo(Integer.class)
            .one();
    if (others == 0) {
      throw new ConflictException(
          "a tenant must keep at least one active admin; promote another user first");
    }
  }

  private static void checkUserName(String name, String field) {
    if (name == null || !USER_NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          field,
          "user name must be 1-128 characters: letters, digits and . _ @ + -, starting with a letter or digit");
    }
  }

  private static User insertUser(Handle h, TenantId tenant, String name, Role role, long now) {
    User user = new User(UserId.generate(), tenant, name, role, "active", now);
    h.createUpdate(
            "INSERT INTO users (id, tenant_id, name, role, status, created_at) VALUES (:id, :t, :n, :r, 'active', :now)")
        .bind("id", user.id().value())
        .bind("t", tenant.value())
        .bind("n", name)
        .bind("r", role.wire())
        .bind("now", now)
        .execute();
    return user;
  }

  static User user(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new User(
        new UserId(rs.getString("id")),
        new TenantId(rs.getString("tenant_id")),
        rs.getString("name"),
        Role.parse(rs.getString("role"), "role"),
        rs.getString("status"),
        rs.getLong("created_at"));
  }
}
