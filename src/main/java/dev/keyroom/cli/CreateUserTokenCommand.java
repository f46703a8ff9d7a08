package dev.keyroom.cli;

import dev.keyroom.app.Keyroom;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.tenancy.ApiTokens;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenant;
import dev.keyroom.tenancy.User;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code keyroom admin create-user-token}: the operator mints a new API token for an admin of a
 * tenant, for when the first one is lost. Only for active admins: a member's token would let the
 * operator's command act as that member (members make their own tokens). Audited as system:cli.
 */
@Command(
    name = "create-user-token",
    mixinStandardHelpOptions = true,
    description =
        "Issue a new kr_u_ API token for an active admin of a tenant (when the first one is lost); printed once.")
final class CreateUserTokenCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = "--tenant", required = true, description = "tenant name")
  String tenant;

  @Option(names = "--user", required = true, description = "the admin's user name")
  String user;

  @Option(
      names = "--name",
      defaultValue = "recovered",
      description = "a label for the token (default: recovered)")
  String name;

  @Override
  public Integer call() {
    try (Keyroom k = AdminCommand.open(store)) {
      Tenant t = k.tenancy().requireTenantByName(tenant);
      User u =
          k.tenancy().users(t.id()).stream()
              .filter(x -> x.name().equals(user))
              .findFirst()
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          "--user: no user named '" + user + "' in tenant " + tenant));
      if (!u.isActive()) {
        throw new ConflictException(
            "--user: user '" + user + "' is disabled; a token is issued only to an active admin");
      }
      if (u.role() != Role.ADMIN) {
        throw new ConflictException(
            "--user: user '"
                + user
                + "' is a member; the operator issues tokens only to admins"
                + " (members create their own with keyroom tokens create)");
      }
      ApiTokens.Issued issued = k.tokens().issueForUser(t.id(), u.id(), name, "system:cli");
      System.out.println(
          "API token "
              + issued.id()
              + " for "
              + user
              + " in "
              + t.name()
              + " (shown once, never again):");
      System.out.println(issued.token());
      return 0;
    }
  }
}
