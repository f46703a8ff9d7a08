package dev.keyroom.web;

import dev.keyroom.api.PageParams;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.catalog.Home;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.Workrooms;
import dev.keyroom.store.Page;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialQuery;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Skill;
import dev.keyroom.vault.Skills;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Config → Secrets: the tenant's skill secrets, for admins. Values go in; only hints come out. */
public final class SecretsPages {
  /** A kind a secret can be added for, as the kind picker shows it. */
  public record KindOption(
      String id, String name, String initials, String tile, String getKeyUrl, boolean proxied) {}

  /**
   * One secret row. {@code status}, {@code connectedTo} and {@code lastUsed} are worded together
   * ({@link #describe}) so they never contradict each other.
   */
  public record Row(
      CredentialInfo info,
      String status,
      List<String> skills,
      List<String> workrooms,
      String connectedTo,
      String lastUsed,
      int liveSessions) {}

  /** The search box and kind filter as the form holds them ("" when not set). */
  public record Search(String q, String kind) {}

  /** Rows on a page unless the address asks for another number (at most {@link Vault#MAX_PAGE}). */
  static final int PAGE = 50;

  /** Secrets of one kind. */
  public record Group(KindOption kind, List<Row> rows) {}

  private final WebRouter router;
  private final Vault vault;
  private final Skills skills;
  private final Workrooms workrooms;
  private final Sessions sessions;
  private final Tenancy tenancy;
  private final Catalog catalog;
  private final SessionEnder ender;
  private final KeyTester tester;
  private final Clock clock;

  SecretsPages(
      WebRouter router,
      Vault vault,
      Skills skills,
      Workrooms workrooms,
      Sessions sessions,
      Tenancy tenancy,
      Catalog catalog,
      SessionEnder ender,
      KeyTester tester,
      Clock clock) {
    this.router = router;
    this.vault = vault;
    this.skills = skills;
    this.workrooms = workrooms;
    this.sessions = sessions;
    this.tenancy = tenancy;
    this.catalog = catalog;
    this.ender = ender;
    this.tester = tester;
    this.clock = clock;
  }

  void register() {
    router.page(
        "/config/secrets", WebRouter.Access.ADMIN, (ctx, u) -> show(ctx, u, 200, null, Map.of()));
    router.action("/config/secrets", WebRouter.Access.ADMIN, this::add);
    router.action("/config/secrets/{id}/replace", WebRouter.Access.ADMIN, this::replace);
    router.action("/config/secrets/{id}/test", WebRouter.Access.ADMIN, this::test);
    router.page(
        "/config/secrets/{id}/revoke",
        WebRouter.Access.ADMIN,
        (ctx, u) -> confirm(ctx, u, "revoke"));
    router.action("/config/secrets/{id}/revoke", WebRouter.Access.ADMIN, this::revoke);
    router.page(
        "/config/secrets/{id}/delete",
        WebRouter.Access.ADMIN,
        (ctx, u) -> confirm(ctx, u, "delete"));
    router.action("/config/secrets/{id}/delete", WebRouter.Access.ADMIN, this::delete);
  }

  List<KindOption> kindOptions(Home home) {
    return catalog.kinds().stream()
        .filter(k -> k.home() == home)
        .map(SecretsPages::option)
        .toList();
  }

  static KindOption option(CredentialKind k) {
    return new KindOption(
        k.id(),
        k.displayName(),
        Display.initials(k.displayName()),
        Display.tile(k.id()),
        k.getKeyUrl(),
        k.isProxied());
  }

  private void show(Context ctx, WebUser user, int status, String error, Map<String, String> form) {
    CredentialScope scope = CredentialScope.tenantSecrets(user.tenant());
    // A form action answers with the first page: its address holds no list state.
    boolean action = ctx.method() == io.javalin.http.HandlerType.POST;
    Search search =
        action ? new Search(null, null) : new Search(param(ctx, "q"), param(ctx, "kind"));
    Map<String, KindOption> options =
        kindOptions(Home.TENANT).stream()
            .collect(
                Collectors.toMap(
                    KindOption::id, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    Page<CredentialInfo> page = new Page<>(List.of(), false, false);
    Pager pager = Pager.NONE;
    String listError = null;
    try {
      PageParams paging =
          action ? new PageParams(PAGE, null, null) : PageParams.read(ctx, PAGE, Vault.MAX_PAGE);
      page =
          vault.page(
              scope,
              new CredentialQuery(catalog).search(search.q(), search.kind(), null, "kind"),
              CredentialQuery.start(paging),
              paging.limit());
      Map<String, String> query = new LinkedHashMap<>();
      query.put("q", search.q());
      query.put("kind", search.kind());
      if (paging.limit() != PAGE) {
        query.put("limit", Integer.toString(paging.limit()));
      }
      pager =
          Pager.of(
              "/config/secrets",
              query,
              "before",
              page.hasPrevious() ? CredentialQuery.cursor(page.first()) : null,
              "after",
              page.hasNext() ? CredentialQuery.cursor(page.last()) : null);
    } catch (InvalidInputException e) {
      listError =
          switch (e.field()) {
            case "limit" ->
                "Rows per page must be a whole number from 1 to " + Vault.MAX_PAGE + ".";
            case "kind" -> "There is no such kind: choose one from the list.";
            default ->
                "This page link is not valid: use the Previous and Next links, or start again from the first page.";
          };
      status = status == 200 ? 400 : status;
    }
    List<Skill> skillList = skills.list(user.tenant());
    List<Workroom> rooms = workrooms.list(user.tenant());
    Map<String, String> roomNames =
        rooms.stream().collect(Collectors.toMap(w -> w.id().value(), Workroom::name));
    Map<String, String> userNames =
        tenancy.users(user.tenant()).stream()
            .collect(Collectors.toMap(u -> u.id().value(), User::name));
    long now = clock.millis();
    Map<String, List<Row>> byKind = new LinkedHashMap<>();
    for (CredentialInfo c : page.rows()) {
      List<String> usedBySkills =
          skillList.stream().filter(sk -> sk.kinds().contains(c.kind())).map(Skill::name).toList();
      CredentialId cid = new CredentialId(c.id());
      List<Workroom> usedIn = rooms.stream().filter(w -> SessionEnder.uses(w, cid)).toList();
      int live =
          c.isActive()
              ? usedIn.stream().mapToInt(w -> sessions.live(user.tenant(), w.id()).size()).sum()
              : 0;
      byKind
          .computeIfAbsent(c.kind(), k -> new ArrayList<>())
          .add(
              describe(
                  c,
                  usedBySkills,
                  usedIn.stream().map(Workroom::name).toList(),
                  roomNames,
                  userNames,
                  live,
                  now));
    }
    List<Group> groups = new ArrayList<>();
    byKind.forEach(
        (kind, rows) ->
            groups.add(
                new Group(
                    options.getOrDefault(
                        kind,
                        new KindOption(
                            kind, kind, Display.initials(kind), Display.tile(kind), null, false)),
                    rows)));
    CredentialInfo saved = null;
    String savedId = ctx.queryParam("saved");
    if (savedId != null) {
      try {
        saved = vault.get(scope, CredentialId.parse(savedId));
      } catch (dev.keyroom.error.NotFoundException e) {
        saved = null; // deleted since, or not a secret of this tenant: nothing to confirm
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("groups", groups);
    m.put("kinds", List.copyOf(options.values()));
    m.put(
        "search",
        new Search(
            search.q() == null ? "" : search.q(), search.kind() == null ? "" : search.kind()));
    m.put("searching", search.q() != null || search.kind() != null);
    m.put("pager", pager);
    m.put("listError", listError);
    m.put("saved", saved);
    m.put("notice", notice(ctx));
    m.put("error", error);
    m.put("formKind", form.getOrDefault("kind", ""));
    m.put("formName", form.getOrDefault("name", ""));
    KeyTester.Result testResult = ctx.attribute("testResult");
    m.put("testResult", testResult);
    // a tested key not on this page (a later page) has its result shown above the list
    m.put(
        "testElsewhere",
        testResult != null
            && page.rows().stream().noneMatch(c -> c.id().equals(testResult.credentialId())));
    m.put("canTest", tester.available());
    router.render(ctx, user, status, "secrets.jte", "Secrets", "secrets", m);
  }

  private static String param(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null || v.isBlank() ? null : v.strip();
  }

  /**
   * A row's words, consistent for every state: the status ("active", "revoked 3 min ago"); what it
   * is connected to, or that nothing is ("yet" only for a key never used); and the last use ("never
   * used", or when, with "before it was revoked" for a revoked key).
   */
  static Row describe(
      CredentialInfo c,
      List<String> usedBySkills,
      List<String> usedInWorkrooms,
      Map<String, String> roomNames,
      Map<String, String> userNames,
      int liveSessions,
      long now) {
    Long revokedAt =
        c.isActive()
            ? null
            : c.versions().stream()
                .filter(v -> v.version() == c.version())
                .map(CredentialInfo.VersionInfo::revokedAt)
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(c.updatedAt());
    String status = c.isActive() ? "active" : "revoked " + Display.ago(revokedAt, now);
    String connectedTo = null;
    if (usedBySkills.isEmpty() && usedInWorkrooms.isEmpty()) {
      connectedTo =
          c.lastUsed() == null && c.isActive()
              ? "not connected to a workroom or skill yet"
              : "not connected to a workroom or skill";
    } else if (!c.isActive()) {
      connectedTo = "refused there since it was revoked";
    }
    String last = lastUsed(c.lastUsed(), roomNames, userNames, now);
    if (last == null) {
      last = "never used";
    } else if (!c.isActive()) {
      last = last + " (before it was revoked)";
    }
    return new Row(c, status, usedBySkills, usedInWorkrooms, connectedTo, last, liveSessions);
  }

  static String lastUsed(
      CredentialInfo.LastUsed last,
      Map<String, String> roomNames,
      Map<String, String> userNames,
      long now) {
    if (last == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder(Display.ago(last.at(), now));
    if (last.skill() != null) sb.append(" · skill ").append(last.skill());
    if (last.workroomId() != null)
      sb.append(" · in ").append(roomNames.getOrDefault(last.workroomId(), "a deleted workroom"));
    if (last.userId() != null)
      sb.append(" · for ").append(userNames.getOrDefault(last.userId(), "a deleted person"));
    return sb.toString();
  }

  private static String notice(Context ctx) {
    String done = ctx.queryParam("done");
    if (done == null) {
      return null;
    }
    return switch (done) {
      case "revoked" ->
          "Revoked. The key is refused from now on; "
              + Display.plural(
                  count(ctx.queryParam("reached")), "live session was", "live sessions were")
              + (ctx.queryParam("restart") == null ? " ended." : " asked to restart.");
      case "deleted" -> "Deleted. Every stored copy of the value is destroyed.";
      case "replaced" ->
          "Replaced. Proxied calls and new sessions use the new value; "
              + Display.plural(
                  count(ctx.queryParam("reached")),
                  "live session holding the old value was",
                  "live sessions holding the old value were")
              + (ctx.queryParam("restart") == null ? " ended." : " asked to restart.");
      default -> null;
    };
  }

  private static long count(String s) {
    return s != null && s.matches("\\d{1,6}") ? Long.parseLong(s) : 0;
  }

  private void add(Context ctx, WebUser user) {
    String kind = WebRouter.field(ctx, "kind");
    String name = WebRouter.field(ctx, "name");
    String value = ctx.formParam("value");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("kind", kind == null ? "" : kind);
    form.put("name", name == null ? "" : name);
    try {
      if (kind == null) {
        throw new InvalidInputException("kind", "choose the kind of key you are adding");
      }
      if (value == null || value.isEmpty()) {
        throw new InvalidInputException("value", "paste the key's value");
      }
      CredentialInfo c =
          vault.create(
              CredentialScope.tenantSecrets(user.tenant()),
              kind,
              name,
              SecretValue.ofUtf8(value.strip()),
              user.auditName());
      ctx.redirect("/config/secrets?saved=" + c.id());
    } catch (InvalidInputException
        | dev.keyroom.error.ConflictException
        | dev.keyroom.error.PayloadTooLargeException e) {
      show(ctx, user, e.status(), e.getMessage(), form);
    }
  }

  private void replace(Context ctx, WebUser user) {
    CredentialId id = CredentialId.parse(ctx.pathParam("id"));
    String value = ctx.formParam("value");
    try {
      if (value == null || value.isEmpty()) {
        throw new InvalidInputException(
            "value", "paste the new value to replace the key (the field starts empty on purpose)");
      }
      Vault.Changed changed =
          vault.replaceReported(
              CredentialScope.tenantSecrets(user.tenant()),
              id,
              SecretValue.ofUtf8(value.strip()),
              user.auditName());
      SessionEnder.Outcome o = SessionEnder.outcome(changed);
      ctx.redirect(
          "/config/secrets?saved="
              + changed.credential().id()
              + "&done=replaced&reached="
              + o.reached()
              + ("ended".equals(o.action()) ? "" : "&restart=1"));
    } catch (InvalidInputException | dev.keyroom.error.ConflictException e) {
      show(ctx, user, e.status(), e.getMessage(), Map.of());
    }
  }

  private void test(Context ctx, WebUser user) {
    CredentialId id = CredentialId.parse(ctx.pathParam("id"));
    CredentialInfo c = vault.get(CredentialScope.tenantSecrets(user.tenant()), id);
    KeyTester.Result r;
    try {
      r = tester.test(user, c);
    } catch (KeyroomException e) {
      r = new KeyTester.Result(c.id(), false, e.getMessage());
    }
    ctx.attribute("testResult", r);
    show(ctx, user, 200, null, Map.of());
  }

  private void confirm(Context ctx, WebUser user, String what) {
    CredentialId id = CredentialId.parse(ctx.pathParam("id"));
    CredentialInfo c = vault.get(CredentialScope.tenantSecrets(user.tenant()), id);
    boolean proxied = catalog.find(c.kind()).map(CredentialKind::isProxied).orElse(false);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("secret", c);
    m.put("kindName", catalog.find(c.kind()).map(CredentialKind::displayName).orElse(c.kind()));
    m.put("what", what);
    m.put("impact", ender.preview(user, id, proxied));
    router.render(
        ctx,
        user,
        200,
        "secret-confirm.jte",
        ("revoke".equals(what) ? "Revoke " : "Delete ") + c.name(),
        "secrets",
        m);
  }

  private void revoke(Context ctx, WebUser user) {
    CredentialId id = CredentialId.parse(ctx.pathParam("id"));
    SessionEnder.Outcome o = ender.revoke(user, CredentialScope.tenantSecrets(user.tenant()), id);
    ctx.redirect(
        "/config/secrets?done=revoked&reached="
            + o.reached()
            + ("ended".equals(o.action()) ? "" : "&restart=1"));
  }

  private void delete(Context ctx, WebUser user) {
    CredentialId id = CredentialId.parse(ctx.pathParam("id"));
    vault.delete(CredentialScope.tenantSecrets(user.tenant()), id, user.auditName());
    ctx.redirect("/config/secrets?done=deleted");
  }
}
