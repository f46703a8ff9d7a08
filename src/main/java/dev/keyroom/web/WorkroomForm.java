package dev.keyroom.web;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.catalog.Home;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.WorkroomMembers;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.User;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The workroom create form: "Connect your tools" (a tenant secret per tool, picked or added inline;
 * personal kinds use each person's own integration) and "Network access" (Tailscale auth key,
 * private endpoints with optional database credentials) and "Who may use it" (the members: only
 * they start sessions in the workroom). Reads the posted form into a {@link Workrooms.Spec};
 * secrets added inline are created only once the whole form is valid.
 */
public final class WorkroomForm {
  static final String TAILSCALE = "tailscale-auth-key";
  static final String DB_PASSWORD = "database-password";
  static final int ENDPOINT_ROWS = 2;

  /**
   * The most endpoint rows a form can carry (an edited workroom shows one empty row more than it
   * has).
   */
  static final int MAX_ENDPOINT_ROWS = 32;

  static final String MEMBER_FIELD = "member_";
  static final List<String> PROTOCOLS = List.of("postgres", "mysql", "https", "http", "ssh", "tcp");

  /** A tool choice: the kind and the tenant secrets that could serve it. */
  public record ToolChoice(
      SecretsPages.KindOption kind,
      boolean personal,
      boolean canAddInline,
      List<CredentialInfo> secrets) {}

  private final Catalog catalog;
  private final Vault vault;

  WorkroomForm(Catalog catalog, Vault vault) {
    this.catalog = catalog;
    this.vault = vault;
  }

  List<ToolChoice> toolChoices(CredentialScope tenantSecrets) {
    List<CredentialInfo> active =
        vault.list(tenantSecrets).stream().filter(CredentialInfo::isActive).toList();
    List<ToolChoice> out = new ArrayList<>();
    for (CredentialKind k : catalog.kinds()) {
      out.add(
          new ToolChoice(
              SecretsPages.option(k),
              k.home() == Home.USER,
              k.home() == Home.TENANT && !k.nameIsEnvVar(),
              active.stream().filter(s -> s.kind().equals(k.id())).toList()));
    }
    return out;
  }

  /**
   * What the page says around the form: where it posts, its heading and button, and whether it
   * picks members.
   */
  public record Mode(
      String action, String heading, String submit, String cancel, boolean picksMembers) {}

  /**
   * The form page's model: the tools and secrets to pick from, the endpoint rows, the people to
   * pick as members ({@code people} is empty when the page does not pick them) and what was posted.
   */
  Map<String, Object> model(
      WebUser user,
      Mode mode,
      List<User> people,
      Set<String> pickedMembers,
      String error,
      Posted posted,
      int endpointRows) {
    List<ToolChoice> all = toolChoices(CredentialScope.tenantSecrets(user.tenant()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", mode);
    m.put(
        "tools",
        all.stream()
            .filter(c -> !c.kind().id().equals(TAILSCALE) && !c.kind().id().equals(DB_PASSWORD))
            .toList());
    m.put(
        "tailscale",
        all.stream().filter(c -> c.kind().id().equals(TAILSCALE)).findFirst().orElseThrow());
    m.put(
        "dbPasswords",
        all.stream().filter(c -> c.kind().id().equals(DB_PASSWORD)).findFirst().orElseThrow());
    m.put("endpointRows", Math.min(MAX_ENDPOINT_ROWS, Math.max(ENDPOINT_ROWS, endpointRows)));
    m.put("people", people);
    m.put("pickedMembers", pickedMembers);
    m.put("protocols", PROTOCOLS);
    m.put("error", error);
    m.put("posted", posted);
    return m;
  }

  /**
   * The form filled in as {@code w} is configured, to edit it (the first tool of each kind; see
   * {@link #extraTools}).
   */
  static Posted posted(Workroom w) {
    Map<String, String> f = new TreeMap<>();
    f.put("name", w.name());
    for (Workroom.Tool t : w.tools()) {
      if (f.putIfAbsent("tool_" + t.kind(), "on") == null && t.credential() != null) {
        f.put("secret_" + t.kind(), t.credential().value());
      }
    }
    if (w.network().tailscale() != null) {
      f.put("tool_" + TAILSCALE, "on");
      f.put("secret_" + TAILSCALE, w.network().tailscale().value());
    }
    List<Workroom.Endpoint> eps = w.network().endpoints();
    for (int i = 0; i < eps.size(); i++) {
      Workroom.Endpoint e = eps.get(i);
      String p = "ep" + i + "_";
      f.put(p + "name", e.name());
      f.put(p + "host", e.host());
      f.put(p + "port", Integer.toString(e.port()));
      f.put(p + "protocol", e.protocol());
      f.put(p + "secret", e.password() == null ? "none" : e.password().value());
      if (e.user() != null) {
        f.put(p + "user", e.user());
      }
      if (e.database() != null) {
        f.put(p + "database", e.database());
      }
    }
    return new Posted(f);
  }

  /**
   * Tools the form cannot show: the second and later tool of one kind (the API allows several, say
   * two environment secrets). Editing in the form keeps them as they are.
   */
  static List<Workroom.Tool> extraTools(Workroom w) {
    Set<String> seen = new HashSet<>();
    return w.tools().stream().filter(t -> !seen.add(t.kind())).toList();
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
    String slug =
        name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
    CredentialScope scope = CredentialScope.tenantSecrets(user.tenant());
    List<CredentialId> created = new ArrayList<>();
    List<Supplier<Workroom.Tool>> tools = new ArrayList<>();
    for (CredentialKind k : catalog.kinds()) {
      if (k.id().equals(TAILSCALE)
          || k.id().equals(DB_PASSWORD)
          || ctx.formParam("tool_" + k.id()) == null) {
        continue;
      }
      if (k.home() == Home.USER) {
        tools.add(() -> new Workroom.Tool(k.id(), null));
      } else {
        Supplier<CredentialId> secret =
            secret(
                ctx,
                created,
                scope,
                user,
                k,
                "secret_" + k.id(),
                "new_" + k.id(),
                k.id() + "-" + slug,
                k.displayName());
        tools.add(() -> new Workroom.Tool(k.id(), secret.get()));
      }
    }
    Supplier<CredentialId> tailscale =
        ctx.formParam("tool_" + TAILSCALE) == null
            ? () -> null
            : secret(
                ctx,
                created,
                scope,
                user,
                catalog.require(TAILSCALE, "kind"),
                "secret_" + TAILSCALE,
                "new_" + TAILSCALE,
                "tailscale-" + slug,
                "Tailscale auth key");
    List<Supplier<Workroom.Endpoint>> endpoints = new ArrayList<>();
    for (int i = 0; i < MAX_ENDPOINT_ROWS; i++) {
      String p = "ep" + i + "_";
      String host = WebRouter.field(ctx, p + "host");
      if (host == null) {
        continue;
      }
      String epName =
          WebRouter.field(ctx, p + "name") == null
              ? "endpoint" + (i + 1)
              : WebRouter.field(ctx, p + "name");
      String protocol = WebRouter.field(ctx, p + "protocol");
      int port = port(WebRouter.field(ctx, p + "port"), "endpoint " + (i + 1));
      String dbUser = WebRouter.field(ctx, p + "user");
      String database = WebRouter.field(ctx, p + "database");
      String pick = WebRouter.field(ctx, p + "secret");
      String typed = ctx.formParam(p + "new");
      boolean hasPassword =
          (pick != null && !"none".equals(pick) && !"new".equals(pick))
              || ("new".equals(pick) && typed != null && !typed.isBlank());
      Supplier<CredentialId> password =
          !hasPassword
              ? () -> null
              : secret(
                  ctx,
                  created,
                  scope,
                  user,
                  catalog.require(DB_PASSWORD, "kind"),
                  p + "secret",
                  p + "new",
                  "db-" + epName + "-" + slug,
                  "endpoint " + (i + 1) + " password");
      endpoints.add(
          () ->
              new Workroom.Endpoint(
                  epName, host, port, protocol, password.get(), dbUser, database));
    }
    List<WorkroomMembers.UserRef> members = members(ctx);
    return new Draft(
        () ->
            new Workrooms.Spec(
                name,
                tools.stream().map(Supplier::get).toList(),
                new Workroom.Network(
                    tailscale.get(), endpoints.stream().map(Supplier::get).toList()),
                members),
        created,
        user);
  }

  /** "Who may use it": a {@code member_<userId>} checkbox per person picked. */
  static List<WorkroomMembers.UserRef> members(Context ctx) {
    List<WorkroomMembers.UserRef> out = new ArrayList<>();
    for (String field : ctx.formParamMap().keySet()) {
      if (field.startsWith(MEMBER_FIELD)) {
        out.add(
            WorkroomMembers.UserRef.parse(field.substring(MEMBER_FIELD.length()), null, "members"));
      }
    }
    return out;
  }

  private Supplier<CredentialId> secret(
      Context ctx,
      List<CredentialId> created,
      CredentialScope scope,
      WebUser user,
      CredentialKind kind,
      String pickField,
      String newField,
      String newName,
      String label) {
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
    return () -> {
      CredentialId id =
          CredentialId.parse(
              vault
                  .create(scope, kind.id(), freeName(scope, kind, newName), v, user.auditName())
                  .id());
      created.add(id);
      return id;
    };
  }

  /**
   * {@code base} (at most 64 characters), or with "-2", "-3" … when a secret of that kind has the
   * name already: a key added while editing a workroom does not collide with the one added when it
   * was created.
   */
  private String freeName(CredentialScope scope, CredentialKind kind, String base) {
    Set<String> taken = new HashSet<>();
    vault.list(scope).stream()
        .filter(c -> c.kind().equals(kind.id()))
        .forEach(c -> taken.add(c.name()));
    String name = base.length() > 64 ? base.substring(0, 64) : base;
    for (int n = 2; taken.contains(name); n++) {
      String suffix = "-" + n;
      name =
          (base.length() > 64 - suffix.length() ? base.substring(0, 64 - suffix.length()) : base)
              + suffix;
    }
    return name;
  }

  private static int port(String raw, String field) {
    if (raw == null || !raw.matches("\\d{1,5}")) {
      throw new InvalidInputException(field + " port", "must be a number from 1 to 65535");
    }
    return Integer.parseInt(raw);
  }
}
