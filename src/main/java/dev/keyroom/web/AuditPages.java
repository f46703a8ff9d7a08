package dev.keyroom.web;

import dev.keyroom.api.PageParams;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.audit.AuditRecord;
import dev.keyroom.audit.AuditRoutes;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.Workrooms;
import dev.keyroom.store.Page;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Audit: the tenant's log with filters (actor, kind of event, credential, workroom, dates), paged
 * newest first by sequence number (keyset: "Next" shows the rows older than the page's last one),
 * and the state of its hash chain.
 */
public final class AuditPages {
  /** Rows on a page unless the address asks for another number (at most {@link #MAX_PAGE}). */
  static final int PAGE = 50;

  static final int MAX_PAGE = 200;
  private static final String TO_BEFORE_FROM = "must not be before from";

  /** The filters as the form holds them. */
  public record Filters(
      String actor, String action, String credential, String workroom, String from, String to) {
    Map<String, String> query() {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("actor", actor);
      q.put("action", action);
      q.put("credential", credential);
      q.put("workroom", workroom);
      q.put("from", from);
      q.put("to", to);
      return q;
    }
  }

  private final WebRouter router;
  private final AuditLog audit;
  private final Tenancy tenancy;
  private final Workrooms workrooms;
  private final Vault vault;

  AuditPages(WebRouter router, AuditLog audit, Tenancy tenancy, Workrooms workrooms, Vault vault) {
    this.router = router;
    this.audit = audit;
    this.tenancy = tenancy;
    this.workrooms = workrooms;
    this.vault = vault;
  }

  void register() {
    router.page("/audit", WebRouter.Access.ADMIN, this::show);
  }

  private void show(Context ctx, WebUser user) {
    Filters f =
        new Filters(
            q(ctx, "actor"),
            q(ctx, "action"),
            q(ctx, "credential"),
            q(ctx, "workroom"),
            q(ctx, "from"),
            q(ctx, "to"));
    List<User> users = tenancy.users(user.tenant());
    List<Workroom> rooms = workrooms.list(user.tenant());
    String actor =
        f.actor() == null
            ? null
            : f.actor().contains(":")
                ? f.actor()
                : users.stream()
                    .filter(u -> u.name().equals(f.actor()))
                    .findFirst()
                    .map(u -> "user:" + u.id().value())
                    .orElse(f.actor());
    String error = null;
    Page<AuditRecord> page = new Page<>(List.of(), false, false);
    Pager pager = Pager.NONE;
    try {
      PageParams paging = PageParams.read(ctx, PAGE, MAX_PAGE);
      Long from = day("from", f.from(), 0);
      Long to = day("to", f.to(), 1);
      if (from != null && to != null && to <= from) {
        throw new InvalidInputException("to", TO_BEFORE_FROM);
      }
      page =
          audit.page(
              user.tenant(),
              new AuditLog.Search(actor, f.action(), f.credential(), null, f.workroom(), from, to),
              AuditRoutes.start(paging),
              paging.limit());
      Map<String, String> query = f.query();
      if (paging.limit() != PAGE) {
        query.put("limit", Integer.toString(paging.limit()));
      }
      pager =
          Pager.of(
              "/audit",
              query,
              "after",
              page.hasPrevious() ? Long.toString(page.first().seq()) : null,
              "before",
              page.hasNext() ? Long.toString(page.last().seq()) : null);
    } catch (InvalidInputException e) {
      error = explain(e);
    }
    Map<String, String> names =
        users.stream().collect(Collectors.toMap(u -> "user:" + u.id().value(), User::name));
    Map<String, String> targets = new HashMap<>();
    users.forEach(u -> targets.put(u.id().value(), u.name()));
    rooms.forEach(w -> targets.put(w.id().value(), w.name()));
    List<CredentialInfo> secrets = vault.list(CredentialScope.tenantSecrets(user.tenant()));
    secrets.forEach(c -> targets.put(c.id(), c.name()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("filters", f);
    m.put("rows", page.rows());
    m.put("pager", pager);
    m.put("names", names);
    m.put("targets", targets);
    m.put("secrets", secrets);
    m.put("users", users);
    m.put("workrooms", rooms);
    m.put("verification", audit.verify(user.tenant()));
    m.put("error", error);
    router.render(ctx, user, error == null ? 200 : 400, "audit.jte", "Audit", "audit", m);
  }

  /**
   * Start of the day ({@code plusDays} 0) or of the next day (1, so "to" includes its day), UTC;
   * null when not given.
   */
  private static Long day(String field, String value, int plusDays) {
    if (value == null) {
      return null;
    }
    try {
      return LocalDate.parse(value)
          .plusDays(plusDays)
          .atStartOfDay(ZoneOffset.UTC)
          .toInstant()
          .toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(field, "must be a date like 2026-01-31");
    }
  }

  /** What a person reads when the address holds a parameter the page cannot use. */
  static String explain(InvalidInputException e) {
    String field = e.field() == null ? "" : e.field();
    return switch (field) {
      case "limit" -> "Rows per page must be a whole number from 1 to " + MAX_PAGE + ".";
      case "before", "after" ->
          "This page link is not valid: use the Previous and Next links, or start again from the newest"
              + " events.";
      case "from" -> "The From date must look like 2026-01-31.";
      case "to" ->
          e.getMessage().endsWith(TO_BEFORE_FROM)
              ? "The To date is before the From date: nothing can match."
              : "The To date must look like 2026-01-31.";
      default -> e.getMessage();
    };
  }

  private static String q(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
