package dev.keyroom.web;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.catalog.Home;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.WorkroomMembers;
import dev.keyroom.session.Workrooms;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The workroom create form: "Connect your tools" (a tenant secret per tool, picked or added
 * inline; personal kinds use each person's own integration) and "Network access" (Tailscale auth
 * key, private endpoints with optional database credentials) and "Who may use it" (the members:
 * only they start sessions in the workroom). Reads the posted form into a
 * {@link Workrooms.Spec}; secrets added inline are created only once the whole form is valid.
 */
public final class WorkroomForm {
  static final String TAILSCALE = "tailscale-auth-key";
  static final String DB_PASSWORD = "database-password";
  static final int ENDPOINT_ROWS = 2;
  static final String MEMBER_FIELD = "member_";
  static final List<String> PROTOCOLS = List.of("postgres", "mysql", "https", "http", "ssh", "tcp");

  /** A tool choice: the kind and the tenant secrets that could serve it. */
  public record ToolChoice(SecretsPages.KindOption kind, boolean personal, boolean canAddInline, List<CredentialInfo> secrets) {}

  private final Catalog catalog;
  private final Vault vault;

  WorkroomForm(Catalog catalog, Vault vault) {
    this.catalog = catalog;
    this.vault = vault;
  }

  List<ToolChoice> toolChoices(CredentialScope tenantSecrets) {
    List<CredentialInfo> active = vault.list(tenantSecrets).stream().filter(CredentialInfo::isActive).toList();
    List<ToolChoice> out = new ArrayList<>();
    for (CredentialKind k : catalog.kinds()) {
      out.add(new ToolChoice(SecretsPages.option(k), k.home() == Home.USER, k.home() == Home.TENANT && !k.nameIsEnvVar(),
          active.stream().filter(s -> s.kind().equals(k.id())).toList()));
    }
    return out;
  }

  /**
   * A read form: {@link #spec()} creates the secrets added inline and returns the workroom's
   * configuration; {@link #discard()} deletes those secrets again when the workroom is refused.
   */
  final class Draft {
    private final Supplier<Workrooms.Spec> spec;
    private final List<CredentialId> created;
    private final WebUser user;

    private Draft(Supplier<Workrooms.Spec> spec, List<CredentialId> created, WebUser user) {
      this.spec = spec;
      this.created = created;
      this.user = user;
    }

    Workrooms.Spec spec() {
      return spec.get();
    }

    void discard() {
      for (CredentialId id : created) {
        vault.delete(CredentialScope.tenantSecrets(user.tenant()), id, user.auditName());
      }
      created.clear();
    }
  }

  /** Reads the posted form (fields are checked; nothing is stored yet). */
  Draft read(Context ctx, WebUser user) {
    String name = WebRouter.field(ctx, "name");
    if (name == null) {
      throw new InvalidInputException("name", "give the workroom a name");
    }
    String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
    CredentialScope scope = CredentialScope.tenantSecrets(user.tenant());
    List<CredentialId> created = new ArrayList<>();
    List<Supplier<Workroom.Tool>> tools = new ArrayList<>();
    for (CredentialKind k : catalog.kinds()) {
      if (k.id().equals(TAILSCALE) || k.id().equals(DB_PASSWORD) || ctx.formParam("tool_" + k.id()) == null) {
        continue;
      }
      if (k.home() == Home.USER) {
        tools.add(() -> new Workroom.Tool(k.id(), null));
      } else {
        Supplier<CredentialId> secret = secret(ctx, created, scope, user, k, "secret_" + k.id(), "new_" + k.id(), k.id() + "-" + slug,
            k.displayName());
        tools.add(() -> new Workroom.Tool(k.id(), secret.get()));
      }
    }
    Supplier<CredentialId> tailscale = ctx.formParam("tool_" + TAILSCALE) == null ? () -> null
        : secret(ctx, created, scope, user, catalog.require(TAILSCALE, "kind"), "secret_" + TAILSCALE, "new_" + TAILSCALE,
            "tailscale-" + slug, "Tailscale auth key");
    List<Supplier<Workroom.Endpoint>> endpoints = new ArrayList<>();
    for (int i = 0; i < ENDPOINT_ROWS; i++) {
      String p = "ep" + i + "_";
      String host = WebRouter.field(ctx, p + "host");
      if (host == null) {
        continue;
      }
      String epName = WebRouter.field(ctx, p + "name") == null ? "endpoint" + (i + 1) : WebRouter.field(ctx, p + "name");
      String protocol = WebRouter.field(ctx, p + "protocol");
      int port = port(WebRouter.field(ctx, p + "port"), "endpoint " + (i + 1));
      String dbUser = WebRouter.field(ctx, p + "user");
      String database = WebRouter.field(ctx, p + "database");
      String pick = WebRouter.field(ctx, p + "secret");
      String typed = ctx.formParam(p + "new");
      boolean hasPassword = (pick != null && !"none".equals(pick) && !"new".equals(pick))
          || ("new".equals(pick) && typed != null && !typed.isBlank());
      Supplier<CredentialId> password = !hasPassword ? () -> null
          : secret(ctx, created, scope, user, catalog.require(DB_PASSWORD, "kind"), p + "secret", p + "new",
              "db-" + epName + "-" + slug, "endpoint " + (i + 1) + " password");
      endpoints.add(() -> new Workroom.Endpoint(epName, host, port,
          protocol, password.get(), dbUser, database));
    }
    List<WorkroomMembers.UserRef> members = members(ctx);
    return new Draft(() -> new Workrooms.Spec(name, tools.stream().map(Supplier::get).toList(),
        new Workroom.Network(tailscale.get(), endpoints.stream().map(Supplier::get).toList()), members), created, user);
  }

  /** "Who may use it": a {@code member_<userId>} checkbox per person picked. */
  static List<WorkroomMembers.UserRef> members(Context ctx) {
    List<WorkroomMembers.UserRef> out = new ArrayList<>();
    for (String field : ctx.formParamMap().keySet()) {
      if (field.startsWith(MEMBER_FIELD)) {
        out.add(WorkroomMembers.UserRef.parse(field.substring(MEMBER_FIELD.length()), null, "members"));
      }
    }
    return out;
  }

  private Supplier<CredentialId> secret(Context ctx, List<CredentialId> created, CredentialScope scope, WebUser user, CredentialKind kind, String pickField,
      String newField, String newName, String label) {
    String pick = WebRouter.field(ctx, pickField);
    if (pick != null && !"new".equals(pick)) {
      CredentialId id = CredentialId.parse(pick);
      return () -> id;
    }
    String value = ctx.formParam(newField);
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(label, "pick one of your keys or paste a new one");
    }
    SecretValue v = SecretValue.ofUtf8(value.strip());
    String secretName = newName.length() > 64 ? newName.substring(0, 64) : newName;
    return () -> {
      CredentialId id = CredentialId.parse(vault.create(scope, kind.id(), secretName, v, user.auditName()).id());
      created.add(id);
      return id;
    };
  }

  private static int port(String raw, String field) {
    if (raw == null || !raw.matches("\\d{1,5}")) {
      throw new InvalidInputException(field + " port", "must be a number from 1 to 65535");
    }
    return Integer.parseInt(raw);
  }
}
