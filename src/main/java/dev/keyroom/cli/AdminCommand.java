package dev.keyroom.cli;

import dev.keyroom.app.Keyroom;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.crypto.MasterKeySentinel;
import dev.keyroom.tenancy.ApiTokens;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.Tenant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keyroom admin …}: operator commands that work on the store directly. */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description = "Operator commands (work on the store directly).",
    subcommands = {
      AdminCommand.CreateTenant.class, AdminCommand.CreateServiceToken.class,
          AdminCommand.RotateMasterKey.class,
      AdminCommand.RotateTenantKey.class, AdminCommand.ReEncrypt.class,
          AdminCommand.VerifyAudit.class,
      AdminCommand.DeleteTenant.class, AdminCommand.SetPassword.class, CreateUserTokenCommand.class
    })
final class AdminCommand implements Runnable {
  @Override
  public void run() {
    throw new Failures.CliException(
        Main.USAGE, "admin needs a subcommand; see keyroom admin --help");
  }

  /** Opens an existing store; a missing SQLite file is refused, never created (exit 1). */
  static Keyroom open(StoreOptions store) {
    return open(store, false);
  }

  /**
   * Opens the store. Without {@code createStore}, a SQLite file that does not exist (a mistyped
   * {@code --data-dir}, a command run from the wrong directory) is refused with its path and the
   * ways to create one, instead of a new empty store and a new master key appearing there.
   */
  static Keyroom open(StoreOptions store, boolean createStore) {
    dev.keyroom.app.Config config = store.config(Map.of(), "warn");
    java.nio.file.Path file = StoreOptions.sqliteFile(config);
    boolean creating = file != null && !java.nio.file.Files.exists(file);
    if (creating && !createStore) {
      throw new Failures.CliException(
          Main.FAILED,
          "no Keyroom store at "
              + file
              + " (data directory "
              + config.dataDir().toAbsolutePath().normalize()
              + "); admin commands do not create one. Check --data-dir"
              + " (or KEYROOM_DATA_DIR), start the server once with `keyroom serve`, or create the store with"
              + " `keyroom admin create-tenant NAME --create-store`.");
    }
    Keyroom k = Keyroom.open(config);
    if (creating) {
      System.err.println(
          "keyroom: created a new store at "
              + file
              + " with the master keyset "
              + config.masterKeyFile()
              + "; back the keyset up.");
    }
    return k;
  }

  @Command(
      name = "create-tenant",
      mixinStandardHelpOptions = true,
      description = "Create a tenant and its first admin; prints the admin's token once.")
  static final class CreateTenant implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Parameters(index = "0", description = "tenant name (lowercase letters, digits, '-')")
    String name;

    @Option(
        names = "--admin",
        defaultValue = "admin",
        description = "the first admin's user name (default: admin)")
    String admin;

    @Option(
        names = "--create-store",
        description = "create the store (and its master key) when the data directory has none")
    boolean createStore;

    @Override
    public Integer call() {
      try (Keyroom k = open(store, createStore)) {
        Tenancy.Founded f = k.tenancy().createTenant(name, admin, "system:cli");
        System.out.println(
            "tenant "
                + f.tenant().name()
                + " ("
                + f.tenant().id()
                + ") created with admin '"
                + admin
                + "'.");
        System.out.println("Admin API token (shown once, never again):");
        System.out.println(f.adminToken().token());
        String oneTime = k.passwords().setOneTime(f.tenant().id(), f.admin().id(), "system:cli");
        System.out.println(
            "Web sign-in: organisation '"
                + f.tenant().name()
                + "', user '"
                + admin
                + "', one-time password (shown once; choose your own at the first sign-in):");
        System.out.println(oneTime);
        return 0;
      }
    }
  }

  @Command(
      name = "create-service-token",
      mixinStandardHelpOptions = true,
      description =
          "Issue a kr_s_ service token for the platform orchestrator of a tenant; printed once.")
  static final class CreateServiceToken implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = "--tenant", required = true, description = "tenant name")
    String tenant;

    @Option(names = "--name", defaultValue = "platform", description = "a label for the token")
    String name;

    @Override
    public Integer call() {
      try (Keyroom k = open(store)) {
        Tenant t = k.tenancy().requireTenantByName(tenant);
        ApiTokens.Issued issued = k.tokens().issueService(t.id(), name, "system:cli");
        System.out.println(
            "service token "
                + issued.id()
                + " for tenant "
                + t.name()
                + " (shown once, never again):");
        System.out.println(issued.token());
        return 0;
      }
    }
  }

  @Command(
      name = "rotate-master-key",
      mixinStandardHelpOptions = true,
      description = "Add a new primary master key and re-wrap every tenant's data keys with it.")
  static final class RotateMasterKey implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Override
    public Integer call() {
      try (Keyroom k = open(store)) {
        k.master().rotate();
        int n = k.keys().rewrapAll(k.clock().millis());
        MasterKeySentinel.write(k.db(), k.master());
        System.out.println(
            "master key rotated: "
                + k.master().describe()
                + "; re-wrapped the data keys of "
                + n
                + " tenant(s).");
        System.out.println(
            "Older master keys stay in the keyset so a running server keeps working; back up the keyset file now.");
        return 0;
      }
    }
  }

  @Command(
      name = "rotate-tenant-key",
      mixinStandardHelpOptions = true,
      description = "Add a new primary data key for a tenant; older versions keep decrypting.")
  static final class RotateTenantKey implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = "--tenant", required = true, description = "tenant name")
    String tenant;

    @Option(
        names = "--re-encrypt",
        description = "also re-encrypt every stored value with the new key")
    boolean reEncrypt;

    @Override
    public Integer call() {
      try (Keyroom k = open(store)) {
        Tenant t = k.tenancy().requireTenantByName(tenant);
        long keyId =
            k.db()
                .jdbi()
                .inTransaction(
                    h -> {
                      long id = k.keys().rotate(h, t.id(), k.clock().millis());
                      k.audit()
                          .append(
                              h,
                              t.id(),
                              dev.keyroom.audit.AuditEvent.of("system:cli", "tenant.rotate-key")
                                  .target("tenant", t.id().value())
                                  .with("keyId", id));
                      return id;
                    });
        System.out.println("tenant " + t.name() + ": new primary data key " + keyId + ".");
        if (reEncrypt) {
          int n = k.vault().reEncryptAll(t.id(), "system:cli");
          System.out.println("re-encrypted " + n + " stored value version(s) with the new key.");
        }
        return 0;
      }
    }
  }

  @Command(
      name = "re-encrypt",
      mixinStandardHelpOptions = true,
      description = "Re-encrypt every stored value of a tenant with its current primary data key.")
  static final class ReEncrypt implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = "--tenant", required = true, description = "tenant name")
    String tenant;

    @Override
    public Integer call() {
      try (Keyroom k = open(store)) {
        Tenant t = k.tenancy().requireTenantByName(tenant);
        System.out.println(
            "re-encrypted "
                + k.vault().reEncryptAll(t.id(), "system:cli")
                + " stored value version(s).");
        return 0;
      }
    }
  }

  @Command(
      name = "verify-audit",
      mixinStandardHelpOptions = true,
      description = "Walk each tenant's audit hash chain; exit 3 when any is broken.")
  static final class VerifyAudit implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = "--tenant", description = "only this tenant (default: all)")
    String tenant;

    @Override
    public Integer call() {
      try (Keyroom k = open(store)) {
        List<Tenant> tenants =
            tenant == null
                ? k.tenancy().tenants()
                : List.of(k.tenancy().requireTenantByName(tenant));
        boolean allIntact = true;
        for (Tenant t : tenants) {
          AuditLog.Verification v = k.audit().verify(t.id());
          if (v.intact()) {
            System.out.println(t.name() + ": intact (" + v.rowsChecked() + " rows)");
          } else {
            allIntact = false;
            System.out.println(t.name() + ": BROKEN at row " + v.badSeq() + ": " + v.problem());
          }
        }
        return allIntact ? 0 : Main.AUDIT_BROKEN;
      }
    }
  }

  @Command(
      name = "set-password",
      mixinStandardHelpOptions = true,
      description =
          "Set a user's web sign-in password, read from stdin (first line). Ends their web sign-ins, none of"
              + " their API tokens.")
  static final class SetPassword implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = "--tenant", required = true, description = "tenant name")
    String tenant;

    @Option(names = "--user", required = true, description = "user name")
    String user;

    @Option(
        names = "--one-time",
        description = "the user must choose a new password at the next sign-in")
    boolean oneTime;

    @Override
    public Integer call() throws java.io.IOException {
      String line =
          TerminalInput.readHidden(
              "new web sign-in password for " + user + " (not shown as you type): ");
      if (line == null) {
        line =
            new java.io.BufferedReader(
                    new java.io.InputStreamReader(
                        System.in, java.nio.charset.StandardCharsets.UTF_8))
                .readLine();
      }
      if (line == null || line.isEmpty()) {
        throw new Failures.CliException(Main.USAGE, "no password given: pipe it on stdin");
      }
      try (Keyroom k = open(store)) {
        Tenant t = k.tenancy().requireTenantByName(tenant);
        dev.keyroom.tenancy.User u =
            k.tenancy().users(t.id()).stream()
                .filter(x -> x.name().equals(user))
                .findFirst()
                .orElseThrow(
                    () ->
                        new dev.keyroom.error.NotFoundException(
                            "no user named '" + user + "' in tenant " + tenant));
        k.passwords().set(t.id(), u.id(), line, oneTime, "system:cli");
        // A new password is often set after a compromise: sign-ins made with the old one end with
        // it.
        int ended = k.db().jdbi().withHandle(h -> k.browserSessions().closeAll(h, t.id(), u.id()));
        System.out.println(
            "web sign-in password set for "
                + user
                + " in "
                + tenant
                + (oneTime ? " (must be changed at the next sign-in)" : "")
                + "; "
                + ended
                + " web sign-in(s) ended.");
        return 0;
      }
    }
  }

  @Command(
      name = "delete-tenant",
      mixinStandardHelpOptions = true,
      description = "Delete a tenant and destroy its data keys (crypto-shredding). Irreversible.")
  static final class DeleteTenant implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Parameters(index = "0", description = "tenant name")
    String name;

    @Option(
        names = "--yes",
        description = "confirm: this destroys the tenant's keys and every value it stored")
    boolean yes;

    @Override
    public Integer call() {
      if (!yes) {
        throw new Failures.CliException(
            Main.USAGE, "deleting a tenant destroys its keys and values; add --yes to confirm");
      }
      try (Keyroom k = open(store)) {
        Tenant t = k.tenancy().requireTenantByName(name);
        k.tenancy().deleteTenant(t.id());
        System.out.println("tenant " + name + " deleted; its data keys are destroyed.");
        return 0;
      }
    }
  }
}
