package dev.keyroom.web;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.catalog.Home;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.session.SessionId;
import dev.keyroom.session.SessionInfo;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.WorkroomId;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Workrooms: the create flow ("Connect your tools", "Network access") and each workroom's page. */
public final class WorkroomsPages {
  static final Set<String> NETWORK_KINDS = Set.of("tailscale-auth-key", "database-password");

  /** A tool choice in the create flow: the kind and the tenant secrets that could serve it. */
  public record ToolChoice(SecretsPages.KindOption kind, boolean personal, boolean canAddInline, List<CredentialInfo> secrets) {}

  /** A workroom in the list. */
  public record Listed(Workroom workroom, List<String> toolNames, int liveSessions) {}

  /** A tool as the workroom page shows it. */
  public record ToolRow(SecretsPages.KindOption kind, boolean personal, CredentialInfo secret) {}

  /** A session as the workroom page shows it. */
  public record SessionRow(SessionInfo session, String userName) {}

  private final WebRouter router;
  private final Workrooms workrooms;
  private final Sessions sessions;
  private final Vault vault;
  private final Tenancy tenancy;
  private final Catalog catalog;
  private final Clock clock;

  WorkroomsPages(WebRouter router, Workrooms workrooms, Sessions sessions, Vault vault, Tenancy tenancy, Catalog catalog,
      Clock clock) {
    this.router = router;
    this.workrooms = workrooms;
    this.sessions = sessions;
    this.vault = vault;
    this.tenancy = tenancy;
    this.catalog = catalog;
    this.clock = clock;
  }

  void register() {
    router.page("/", WebRouter.Access.MEMBER, (ctx, u) -> ctx.redirect(u.isAdmin() ? "/workrooms" : "/profile/integrations"));
    router.page("/workrooms", WebRouter.Access.MEMBER, this::list);
    router.page("/workrooms/new", WebRouter.Access.ADMIN, (ctx, u) -> form(ctx, u, 200, null, ""));
    router.action("/workrooms", WebRouter.Access.ADMIN, this::create);
    router.page("/workrooms/{id}", WebRouter.Access.MEMBER, this::show);
    router.action("/workrooms/{id}/sessions", WebRouter.Access.MEMBER, this::startSession);
    router.action("/workrooms/{id}/sessions/{session}/end", WebRouter.Access.MEMBER, this::endSession);
  }

  private void list(Context ctx, WebUser user) {
    List<Listed> rows = workrooms.list(user.tenant()).stream().map(w -> new Listed(w,
        w.tools().stream().map(t -> kindName(t.kind())).toList(), sessions.live(user.tenant(), w.id()).size())).toList();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workrooms", rows);
    router.render(ctx, user, 200, "workrooms.jte", "Workrooms", "workrooms", m);
  }

  private void form(Context ctx, WebUser user, int status, String error, String name) {
    List<CredentialInfo> secrets = vault.list(CredentialScope.tenantSecrets(user.tenant())).stream()
        .filter(CredentialInfo::isActive).toList();
    List<ToolChoice> tools = new ArrayList<>();
    List<ToolChoice> network = new ArrayList<>();
    for (CredentialKind k : catalog.kinds()) {
      ToolChoice c = new ToolChoice(SecretsPages.option(k), k.home() == Home.USER, k.home() == Home.TENANT && !k.nameIsEnvVar(),
          secrets.stream().filter(s -> s.kind().equals(k.id())).toList());
      (NETWORK_KINDS.contains(k.id()) ? network : tools).add(c);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tools", tools);
    m.put("network", network);
    m.put("error", error);
    m.put("formName", name);
    router.render(ctx, user, status, "workroom-new.jte", "New workroom", "workrooms", m);
  }

  private void create(Context ctx, WebUser user) {
    String name = WebRouter.field(ctx, "name");
    try {
      if (name == null) {
        throw new InvalidInputException("name", "give the workroom a name");
      }
      List<Workroom.Tool> tools = new ArrayList<>();
      List<Runnable> pendingNew = new ArrayList<>();
      for (CredentialKind k : catalog.kinds()) {
        if (ctx.formParam("tool_" + k.id()) == null) {
          continue;
        }
        if (k.home() == Home.USER) {
          tools.add(new Workroom.Tool(k.id(), null));
          continue;
        }
        String choice = WebRouter.field(ctx, "secret_" + k.id());
        if (choice == null || "new".equals(choice)) {
          String value = ctx.formParam("new_" + k.id());
          if (value == null || value.isBlank()) {
            throw new InvalidInputException(k.displayName(), "pick one of your keys or paste a new one");
          }
          tools.add(null);
          int slot = tools.size() - 1;
          String secretName = (k.id() + "-" + name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-"))
              .replaceAll("-+$", "");
          pendingNew.add(() -> tools.set(slot, new Workroom.Tool(k.id(), CredentialId.parse(vault.create(
              CredentialScope.tenantSecrets(user.tenant()), k.id(), secretName, SecretValue.ofUtf8(value.strip()),
              user.auditName()).id()))));
        } else {
          tools.add(new Workroom.Tool(k.id(), CredentialId.parse(choice)));
        }
      }
      pendingNew.forEach(Runnable::run);
      Workroom w = workrooms.create(user.tenant(), name, tools, user.auditName());
      ctx.redirect("/workrooms/" + w.id().value() + "?created=1");
    } catch (InvalidInputException | ConflictException | NotFoundException e) {
      form(ctx, user, e.status(), e.getMessage(), name == null ? "" : name);
    }
  }

  private void show(Context ctx, WebUser user) {
    Workroom w = workrooms.get(user.tenant(), WorkroomId.parse(ctx.pathParam("id")));
    Map<String, CredentialInfo> secrets = vault.list(CredentialScope.tenantSecrets(user.tenant())).stream()
        .collect(Collectors.toMap(CredentialInfo::id, c -> c));
    List<ToolRow> tools = w.tools().stream().map(t -> new ToolRow(SecretsPages.option(catalog.require(t.kind(), "kind")),
        t.credential() == null, t.credential() == null ? null : secrets.get(t.credential().value()))).toList();
    Map<String, String> names = tenancy.users(user.tenant()).stream().collect(Collectors.toMap(u -> u.id().value(), User::name));
    List<SessionRow> live = sessions.live(user.tenant(), w.id()).stream()
        .filter(s -> user.isAdmin() || s.user().equals(user.id()))
        .map(s -> new SessionRow(s, names.getOrDefault(s.user().value(), s.user().value()))).toList();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workroom", w);
    m.put("tools", tools);
    m.put("network", tools.stream().filter(t -> NETWORK_KINDS.contains(t.kind().id())).toList());
    m.put("live", live);
    m.put("users", user.isAdmin() ? tenancy.users(user.tenant()).stream().filter(User::isActive).toList()
        : tenancy.users(user.tenant()).stream().filter(u -> u.id().equals(user.id())).toList());
    m.put("created", ctx.queryParam("created") != null);
    m.put("notice", switch (String.valueOf(ctx.queryParam("done"))) {
      case "started" -> "Session started. Its environment is ready for the AI employee.";
      case "ended" -> "Session ended. Its token and placeholders are refused from now on.";
      default -> null;
    });
    m.put("now", clock.millis());
    router.render(ctx, user, 200, "workroom.jte", w.name(), "workrooms", m);
  }

  private void startSession(Context ctx, WebUser user) {
    WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
    String who = WebRouter.field(ctx, "user");
    UserId target = who == null ? user.id() : new UserId(who);
    if (!target.equals(user.id()) && !user.isAdmin()) {
      throw new ForbiddenException("only admins start sessions for other people");
    }
    tenancy.user(user.tenant(), target);
    sessions.start(user.tenant(), id, target, user.auditName());
    ctx.redirect("/workrooms/" + id.value() + "?done=started");
  }

  private void endSession(Context ctx, WebUser user) {
    WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
    SessionId sid = SessionId.parse(ctx.pathParam("session"));
    SessionInfo s = sessions.get(user.tenant(), sid);
    if (!s.workroom().equals(id) || (!user.isAdmin() && !s.user().equals(user.id()))) {
      throw new NotFoundException("no session with that id in this workroom");
    }
    sessions.end(user.tenant(), sid, "ended from the web UI", user.auditName());
    ctx.redirect("/workrooms/" + id.value() + "?done=ended");
  }

  private String kindName(String kind) {
    return catalog.find(kind).map(CredentialKind::displayName).orElse(kind);
  }
}
