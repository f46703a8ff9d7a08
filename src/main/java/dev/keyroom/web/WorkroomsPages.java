package dev.keyroom.web;

import dev.keyroom.audit.AuditLog;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.session.DeliveryLedger;
import dev.keyroom.session.SessionId;
import dev.keyroom.session.SessionInfo;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.StartedBy;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.WorkroomId;
import dev.keyroom.session.WorkroomMembers;
import dev.keyroom.session.Workrooms;
import dev.keyroom.store.Keyset;
import dev.keyroom.store.Page;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Workrooms: the create flow ("Connect your tools", "Network access") and each workroom's page. */
public final class WorkroomsPages {
  /** A workroom in the list. */
  public record Listed(Workroom workroom, List<String> toolNames, int liveSessions) {}

  /** A tool as the workroom page shows it. */
  public record ToolRow(SecretsPages.KindOption kind, boolean personal, CredentialInfo secret) {}

  /**
   * A session as the workroom page shows it, with the first deliveries of its ledger; {@code
   * moreDeliveries}: the ledger goes on (on its own, paged page).
   */
  public record SessionRow(
      SessionInfo session, String userName, List<LedgerRow> ledger, boolean moreDeliveries) {}

  /** One delivery of a credential version into a session. */
  public record LedgerRow(
      String id, String credential, int version, String variables, long fetchedAt, Long wipedAt) {}

  /**
   * Deliveries shown per session on the workroom page; the rest are on the session's ledger page.
   */
  static final int LEDGER_PREVIEW = 10;

  /** A private endpoint as the workroom page shows it. */
  public record EndpointRow(Workroom.Endpoint endpoint, CredentialInfo password) {}

  /**
   * How to use a session just started here: its token (null once it has been shown) in the command
   * a platform or a person pastes, and the {@code --workroom} form for a logged-in person.
   */
  public record HowTo(
      SessionInfo session, Reveals.Revealed token, String tokenCommand, String workroomCommand) {}

  /** The command the how-to panel runs as an example; the person puts theirs in its place. */
  public static final String EXAMPLE_COMMAND = "python agent.py";

  private final WebRouter router;
  private final Workrooms workrooms;
  private final Sessions sessions;
  private final Vault vault;
  private final Tenancy tenancy;
  private final Catalog catalog;
  private final Clock clock;
  private final WorkroomForm form;
  private final AuditLog audit;
  private final Reveals reveals;
  private final Supplier<String> publicUrl;
  private static final int RECENTLY_ENDED = 5;

  WorkroomsPages(
      WebRouter router,
      Workrooms workrooms,
      Sessions sessions,
      Vault vault,
      Tenancy tenancy,
      Catalog catalog,
      AuditLog audit,
      Reveals reveals,
      Supplier<String> publicUrl,
      Clock clock) {
    this.router = router;
    this.workrooms = workrooms;
    this.sessions = sessions;
    this.vault = vault;
    this.tenancy = tenancy;
    this.catalog = catalog;
    this.clock = clock;
    this.form = new WorkroomForm(catalog, vault);
    this.audit = audit;
    this.reveals = reveals;
    this.publicUrl = publicUrl;
  }

  void register() {
    router.page(
        "/",
        WebRouter.Access.MEMBER,
        (ctx, u) -> ctx.redirect(u.isAdmin() ? "/workrooms" : "/profile/integrations"));
    router.page("/workrooms", WebRouter.Access.MEMBER, this::list);
    router.page(
        "/workrooms/new",
        WebRouter.Access.ADMIN,
        (ctx, u) -> form(ctx, u, 200, null, Posted.EMPTY));
    router.action("/workrooms", WebRouter.Access.ADMIN, this::create);
    router.page("/workrooms/{id}", WebRouter.Access.MEMBER, this::show);
    router.action("/workrooms/{id}/sessions", WebRouter.Access.MEMBER, this::startSession);
    router.action(
        "/workrooms/{id}/sessions/{session}/end", WebRouter.Access.MEMBER, this::endSession);
    router.action("/workrooms/{id}/members", WebRouter.Access.ADMIN, this::addMember);
    router.action(
        "/workrooms/{id}/members/{user}/remove", WebRouter.Access.ADMIN, this::removeMember);
  }

  /** Admins see every workroom; anyone else only those they are a member of. */
  private static Workrooms.Viewer viewer(WebUser user) {
    return new Workrooms.Viewer(user.id(), user.isAdmin());
  }

  private void list(Context ctx, WebUser user) {
    List<Listed> rows =
        workrooms.list(user.tenant(), viewer(user)).stream()
            .map(
                w ->
                    new Listed(
                        w,
                        w.tools().stream().map(t -> kindName(t.kind())).toList(),
                        sessions.live(user.tenant(), w.id()).size()))
            .toList();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workrooms", rows);
    m.put(
        "notice",
        "deleted".equals(ctx.queryParam("done"))
            ? "Workroom deleted. "
                + Display.plural(count(ctx.queryParam("ended")), "live session", "live sessions")
                + " in it ended."
            : null);
    router.render(ctx, user, 200, "workrooms.jte", "Workrooms", "workrooms", m);
  }

  static final WorkroomForm.Mode CREATE =
      new WorkroomForm.Mode("/workrooms", "New workroom", "Create workroom", "/workrooms", true);

  private void form(Context ctx, WebUser user, int status, String error, Posted posted) {
    Set<String> picked =
        posted.fields().isEmpty()
            ? Set.of(user.id().value())
            : posted.fields().keySet().stream()
                .filter(f -> f.startsWith(WorkroomForm.MEMBER_FIELD))
                .map(f -> f.substring(WorkroomForm.MEMBER_FIELD.length()))
                .collect(Collectors.toSet());
    router.render(
        ctx,
        user,
        status,
        "workroom-new.jte",
        "New workroom",
        "workrooms",
        form.model(
            user,
            CREATE,
            tenancy.users(user.tenant()).stream().filter(User::isActive).toList(),
            picked,
            error,
            posted,
            WorkroomForm.ENDPOINT_ROWS));
  }

  private void create(Context ctx, WebUser user) {
    try {
      WorkroomForm.Draft draft = form.read(ctx, user);
      Workroom w;
      try {
        w = workrooms.create(user.tenant(), draft.spec(), user.auditName());
      } catch (KeyroomException e) {
        draft.discard();
        throw e;
      }
      ctx.redirect("/workrooms/" + w.id().value() + "?created=1");
    } catch (InvalidInputException | ConflictException | NotFoundException e) {
      form(
          ctx,
          user,
          e.status(),
          e.getMessage(),
          Posted.of(ctx.formParamMap(), f -> f.startsWith("new_") || f.endsWith("_new")));
    }
  }

  private void show(Context ctx, WebUser user) {
    Workroom w = workrooms.get(user.tenant(), WorkroomId.parse(ctx.pathParam("id")), viewer(user));
    Map<String, CredentialInfo> secrets =
        vault.list(CredentialScope.tenantSecrets(user.tenant())).stream()
            .collect(Collectors.toMap(CredentialInfo::id, c -> c));
    List<ToolRow> tools =
        w.tools().stream()
            .map(
                t ->
                    new ToolRow(
                        SecretsPages.option(catalog.require(t.kind(), "kind")),
                        t.credential() == null,
                        t.credential() == null ? null : secrets.get(t.credential().value())))
            .toList();
    Map<String, String> names =
        tenancy.users(user.tenant()).stream()
            .collect(Collectors.toMap(u -> u.id().value(), User::name));
    List<SessionRow> live =
        sessions.live(user.tenant(), w.id()).stream()
            .filter(s -> user.isAdmin() || s.user().equals(user.id()))
            .map(s -> row(user, s, names, secrets))
            .toList();
    List<SessionRow> ended =
        audit
            .query(
                user.tenant(),
                new AuditLog.Filter(
                    null,
                    "session.end",
                    null,
                    null,
                    w.id().value(),
                    null,
                    null,
                    null,
                    RECENTLY_ENDED))
            .stream()
            .map(r -> sessions.get(user.tenant(), SessionId.parse(r.targetId())))
            .filter(s -> user.isAdmin() || s.user().equals(user.id()))
            .map(s -> row(user, s, names, secrets))
            .toList();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workroom", w);
    m.put("ended", ended);
    m.put("tools", tools);
    m.put(
        "tailscale",
        w.network().tailscale() == null ? null : secrets.get(w.network().tailscale().value()));
    m.put(
        "endpoints",
        w.network().endpoints().stream()
            .map(
                e ->
                    new EndpointRow(
                        e, e.password() == null ? null : secrets.get(e.password().value())))
            .toList());
    m.put("live", live);
    List<WorkroomMembers.Member> members = workrooms.members().list(user.tenant(), w.id());
    Set<UserId> memberIds =
        members.stream().map(WorkroomMembers.Member::user).collect(Collectors.toSet());
    List<User> active = tenancy.users(user.tenant()).stream().filter(User::isActive).toList();
    // Sessions start only for members: an admin picks among them, anyone else starts their own.
    m.put(
        "users",
        active.stream()
            .filter(u -> memberIds.contains(u.id()) && (user.isAdmin() || u.id().equals(user.id())))
            .toList());
    m.put("members", user.isAdmin() ? members : List.of());
    m.put(
        "addable",
        user.isAdmin()
            ? active.stream().filter(u -> !memberIds.contains(u.id())).toList()
            : List.of());
    m.put("created", ctx.queryParam("created") != null);
    m.put(
        "notice",
        switch (String.valueOf(ctx.queryParam("done"))) {
          case "started" -> "Session started. Its environment is ready for the AI employee.";
          case "saved" -> "Workroom saved.";
          case "ended" -> "Session ended. Its token and placeholders are refused from now on.";
          case "added" -> "Member added. They can start sessions in this workroom now.";
          case "removed" ->
              "Member removed. "
                  + Display.plural(count(ctx.queryParam("ended")), "live session", "live sessions")
                  + " of theirs ended.";
          default -> null;
        });
    m.put("howTo", howTo(ctx, user, w));
    m.put("now", clock.millis());
    router.render(ctx, user, 200, "workroom.jte", w.name(), "workrooms", m);
  }

  private SessionRow row(
      WebUser user, SessionInfo s, Map<String, String> names, Map<String, CredentialInfo> secrets) {
    Page<DeliveryLedger.Delivery> ledger =
        sessions.ledger().page(user.tenant(), s.id(), Keyset.From.start(), LEDGER_PREVIEW);
    return new SessionRow(
        s,
        names.getOrDefault(s.user().value(), s.user().value()),
        DeliveriesPages.rows(user.tenant(), ledger.rows(), secrets, vault),
        ledger.hasNext());
  }

  private static int count(String raw) {
    return raw != null && raw.matches("\\d{1,6}") ? Integer.parseInt(raw) : 0;
  }

  private void addMember(Context ctx, WebUser user) {
    WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
    String who = WebRouter.field(ctx, "user");
    if (who == null) {
      throw new InvalidInputException("user", "pick the person to add");
    }
    workrooms
        .members()
        .add(user.tenant(), id, WorkroomMembers.UserRef.parse(who, null, "user"), user.auditName());
    ctx.redirect("/workrooms/" + id.value() + "?done=added");
  }

  private void removeMember(Context ctx, WebUser user) {
    WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
    WorkroomMembers.Removed removed =
        workrooms
            .members()
            .remove(user.tenant(), id, UserId.parse(ctx.pathParam("user")), user.auditName());
    ctx.redirect("/workrooms/" + id.value() + "?done=removed&ended=" + removed.ended().count());
  }

  private void startSession(Context ctx, WebUser user) {
    WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
    workrooms.get(user.tenant(), id, viewer(user));
    String who = WebRouter.field(ctx, "user");
    if (who != null && !who.equals(user.id().value())) {
      throw new ForbiddenException(
          "a person starts sessions only for themselves; the platform starts them for others");
    }
    Sessions.Started started =
        sessions.start(user.tenant(), id, user.id(), StartedBy.SELF, user.auditName());
    // The token is shown once, on the page this redirects to; it never travels in the URL.
    reveals.keep(
        Reveals.browserSession(ctx.cookie(WebRouter.SESSION_COOKIE)),
        user.tenant(),
        Reveals.Kind.SESSION_TOKEN,
        started.session().id().value(),
        started.token());
    ctx.redirect(
        "/workrooms/"
            + id.value()
            + "?done=started&session="
            + started.session().id().value()
            + "#how-to");
  }

  /**
   * The how-to panel after a session of the viewer's own was started here; its token only the first
   * time.
   */
  private HowTo howTo(Context ctx, WebUser user, Workroom w) {
    String raw = ctx.queryParam("session");
    if (raw == null) {
      return null;
    }
    SessionInfo s = sessions.get(user.tenant(), SessionId.parse(raw));
    if (!s.workroom().equals(w.id()) || !s.user().equals(user.id())) {
      return null;
    }
    Reveals.Revealed token =
        reveals
            .take(
                Reveals.browserSession(ctx.cookie(WebRouter.SESSION_COOKIE)),
                user.tenant(),
                Reveals.Kind.SESSION_TOKEN,
                s.id().value())
            .orElse(null);
    return new HowTo(
        s,
        token,
        token == null
            ? null
            : "KEYROOM_URL="
                + Shell.quote(publicUrl.get())
                + " KEYROOM_SESSION_TOKEN="
                + Shell.quote(token.value())
                + " keyroom run -- "
                + EXAMPLE_COMMAND,
        "keyroom run --workroom " + Shell.quote(w.name()) + " -- " + EXAMPLE_COMMAND);
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
