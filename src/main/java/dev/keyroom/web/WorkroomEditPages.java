package dev.keyroom.web;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.session.SessionInfo;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.WorkroomId;
import dev.keyroom.session.WorkroomMembers;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Editing a workroom (admins): the create form filled in with its name, tools and network access
 * ({@link Workrooms#change}; its members are managed on its page), and deleting it after a
 * confirmation that says how many live sessions will end ({@link Workrooms#delete} ends them in the
 * same transaction; the list then says how many did).
 */
public final class WorkroomEditPages {
  /** The delete confirmation: the workroom, its live sessions and its members. */
  public record DeleteImpact(
      Workroom workroom, int liveSessions, List<String> sessionsFor, int members) {}

  private final WebRouter router;
  private final Workrooms workrooms;
  private final Sessions sessions;
  private final Vault vault;
  private final Tenancy tenancy;
  private final Catalog catalog;
  private final WorkroomForm form;

  WorkroomEditPages(
      WebRouter router,
      Workrooms workrooms,
      Sessions sessions,
      Vault vault,
      Tenancy tenancy,
      Catalog catalog) {
    this.router = router;
    this.workrooms = workrooms;
    this.sessions = sessions;
    this.vault = vault;
    this.tenancy = tenancy;
    this.catalog = catalog;
    this.form = new WorkroomForm(catalog, vault);
  }

  void register() {
    router.page(
        "/workrooms/{id}/edit",
        WebRouter.Access.ADMIN,
        (ctx, u) -> {
          Workroom w = workrooms.get(u.tenant(), WorkroomId.parse(ctx.pathParam("id")));
          edit(ctx, u, w, 200, null, WorkroomForm.posted(w));
        });
    router.action("/workrooms/{id}/edit", WebRouter.Access.ADMIN, this::save);
    router.page("/workrooms/{id}/delete", WebRouter.Access.ADMIN, this::confirmDelete);
    router.action("/workrooms/{id}/delete", WebRouter.Access.ADMIN, this::delete);
  }

  private void edit(
      Context ctx, WebUser user, Workroom w, int status, String error, Posted posted) {
    String page = "/workrooms/" + w.id().value();
    WorkroomForm.Mode mode =
        new WorkroomForm.Mode(page + "/edit", "Edit " + w.name(), "Save workroom", page, false);
    Map<String, Object> m =
        form.model(
            user, mode, List.of(), Set.of(), error, posted, w.network().endpoints().size() + 1);
    m.put("warnings", warnings(user, w));
    router.render(ctx, user, status, "workroom-new.jte", "Edit " + w.name(), "workrooms", m);
  }

  /**
   * What the form cannot show as it is: keys no longer usable, and further tools of one kind (kept
   * as they are).
   */
  private List<String> warnings(WebUser user, Workroom w) {
    Map<String, CredentialInfo> secrets =
        vault.list(CredentialScope.tenantSecrets(user.tenant())).stream()
            .collect(Collectors.toMap(CredentialInfo::id, c -> c));
    List<String> out = new ArrayList<>();
    Set<String> shown = new java.util.HashSet<>();
    for (Workroom.Tool t : w.tools()) {
      if (shown.add(t.kind()) && t.credential() != null) {
        unusable(secrets, t.credential(), kindName(t.kind())).ifPresent(out::add);
      }
    }
    if (w.network().tailscale() != null) {
      unusable(secrets, w.network().tailscale(), "Tailscale").ifPresent(out::add);
    }
    for (Workroom.Tool extra : WorkroomForm.extraTools(w)) {
      CredentialInfo s =
          extra.credential() == null ? null : secrets.get(extra.credential().value());
      out.add(
          kindName(extra.kind())
              + " is connected more than once; the further key "
              + (s == null ? "" : s.name() + " ")
              + "is kept as it is (change it with keyroom workrooms edit).");
    }
    return out;
  }

  private static java.util.Optional<String> unusable(
      Map<String, CredentialInfo> secrets, CredentialId id, String what) {
    CredentialInfo s = secrets.get(id.value());
    if (s == null) {
      return java.util.Optional.of(
          what + ": its key was deleted. Pick another one, or leave it unticked.");
    }
    return s.isActive()
        ? java.util.Optional.empty()
        : java.util.Optional.of(
            what
                + ": its key "
                + s.name()
                + " is revoked. Pick another one, or leave it unticked.");
  }

  private void save(Context ctx, WebUser user) {
    WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
    Workroom before = workrooms.get(user.tenant(), id);
    try {
      WorkroomForm.Draft draft = form.read(ctx, user);
      try {
        Workrooms.Spec read = draft.spec();
        List<Workroom.Tool> tools = new ArrayList<>(read.tools());
        tools.addAll(WorkroomForm.extraTools(before));
        // Members are not part of this form: null keeps them as they are.
        workrooms.change(
            user.tenant(),
            id,
            new Workrooms.Spec(read.name(), tools, read.network(), null),
            user.auditName());
      } catch (KeyroomException e) {
        draft.discard();
        throw e;
      }
      ctx.redirect("/workrooms/" + id.value() + "?done=saved");
    } catch (InvalidInputException | ConflictException | NotFoundException e) {
      edit(
          ctx,
          user,
          before,
          e.status(),
          e.getMessage(),
          Posted.of(ctx.formParamMap(), f -> f.startsWith("new_") || f.endsWith("_new")));
    }
  }

  private void confirmDelete(Context ctx, WebUser user) {
    Workroom w = workrooms.get(user.tenant(), WorkroomId.parse(ctx.pathParam("id")));
    Map<String, String> names =
        tenancy.users(user.tenant()).stream()
            .collect(Collectors.toMap(u -> u.id().value(), User::name));
    List<SessionInfo> live = sessions.live(user.tenant(), w.id());
    List<WorkroomMembers.Member> members = workrooms.members().list(user.tenant(), w.id());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "impact",
        new DeleteImpact(
            w,
            live.size(),
            live.stream()
                .map(s -> names.getOrDefault(s.user().value(), s.user().value()))
                .distinct()
                .toList(),
            members.size()));
    router.render(ctx, user, 200, "workroom-delete.jte", "Delete " + w.name(), "workrooms", m);
  }

  private void delete(Context ctx, WebUser user) {
    WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
    WorkroomMembers.EndedSessions ended = workrooms.delete(user.tenant(), id, user.auditName());
    ctx.redirect("/workrooms?done=deleted&ended=" + ended.count());
  }

  private String kindName(String kind) {
    return catalog.find(kind).map(CredentialKind::displayName).orElse(kind);
  }
}
