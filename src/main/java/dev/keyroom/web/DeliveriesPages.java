package dev.keyroom.web;

import dev.keyroom.api.PageParams;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.session.DeliveryLedger;
import dev.keyroom.session.SessionId;
import dev.keyroom.session.SessionInfo;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.WorkroomId;
import dev.keyroom.session.Workrooms;
import dev.keyroom.store.Page;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A session's whole delivery ledger, oldest first and paged by keyset (a page starts after or
 * before a delivery's id; deliveries of one retrieval share a time and are ordered by id). The
 * workroom page shows the first few of each session and links here.
 */
public final class DeliveriesPages {
  /** Rows on a page unless the address asks for another number (at most {@link #MAX_PAGE}). */
  static final int PAGE = 50;

  static final int MAX_PAGE = 200;

  private final WebRouter router;
  private final Workrooms workrooms;
  private final Sessions sessions;
  private final Vault vault;
  private final Tenancy tenancy;

  DeliveriesPages(
      WebRouter router, Workrooms workrooms, Sessions sessions, Vault vault, Tenancy tenancy) {
    this.router = router;
    this.workrooms = workrooms;
    this.sessions = sessions;
    this.vault = vault;
    this.tenancy = tenancy;
  }

  void register() {
    router.page(
        "/workrooms/{id}/sessions/{session}/deliveries", WebRouter.Access.MEMBER, this::show);
  }

  private void show(Context ctx, WebUser user) {
    Workroom w =
        workrooms.get(
            user.tenant(),
            WorkroomId.parse(ctx.pathParam("id")),
            new Workrooms.Viewer(user.id(), user.isAdmin()));
    SessionInfo s = sessions.get(user.tenant(), SessionId.parse(ctx.pathParam("session")));
    if (!s.workroom().equals(w.id()) || (!user.isAdmin() && !s.user().equals(user.id()))) {
      throw new NotFoundException("no session with that id in this workroom");
    }
    String path = "/workrooms/" + w.id().value() + "/sessions/" + s.id().value() + "/deliveries";
    String error = null;
    List<WorkroomsPages.LedgerRow> rows = List.of();
    Pager pager = Pager.NONE;
    try {
      PageParams paging = PageParams.read(ctx, PAGE, MAX_PAGE);
      DeliveryLedger ledger = sessions.ledger();
      Page<DeliveryLedger.Delivery> page =
          ledger.page(
              user.tenant(), s.id(), ledger.start(user.tenant(), s.id(), paging), paging.limit());
      rows =
          rows(
              user.tenant(),
              page.rows(),
              vault.list(CredentialScope.tenantSecrets(user.tenant())).stream()
                  .collect(Collectors.toMap(CredentialInfo::id, c -> c)),
              vault);
      Map<String, String> query = new LinkedHashMap<>();
      if (paging.limit() != PAGE) {
        query.put("limit", Integer.toString(paging.limit()));
      }
      pager =
          Pager.of(
              path,
              query,
              "before",
              page.hasPrevious() ? page.first().id() : null,
              "after",
              page.hasNext() ? page.last().id() : null);
    } catch (InvalidInputException e) {
      error = explain(e);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workroom", w);
    m.put("session", s);
    m.put(
        "userName",
        tenancy.users(user.tenant()).stream()
            .filter(u -> u.id().equals(s.user()))
            .findFirst()
            .map(u -> u.name())
            .orElse("deleted person (" + s.user().value() + ")"));
    m.put("rows", rows);
    m.put("pager", pager);
    m.put("path", path);
    m.put("error", error);
    router.render(
        ctx,
        user,
        error == null ? 200 : 400,
        "deliveries.jte",
        "Deliveries · " + w.name(),
        "workrooms",
        m);
  }

  /**
   * The ledger's rows as a page shows them: a tenant secret by name, a member's own integration as
   * "a personal integration", a credential deleted since as "deleted key (cred_…)".
   */
  static List<WorkroomsPages.LedgerRow> rows(
      TenantId tenant,
      List<DeliveryLedger.Delivery> deliveries,
      Map<String, CredentialInfo> secrets,
      Vault vault) {
    return deliveries.stream()
        .map(
            d ->
                new WorkroomsPages.LedgerRow(
                    d.id(),
                    credential(tenant, d.credentialId(), secrets, vault),
                    d.version(),
                    String.join(", ", d.variables()),
                    d.fetchedAt(),
                    d.wipedAt()))
        .toList();
  }

  private static String credential(
      TenantId tenant, String id, Map<String, CredentialInfo> secrets, Vault vault) {
    if (secrets.containsKey(id)) {
      return secrets.get(id).name();
    }
    return vault.scopeOf(tenant, new CredentialId(id)).isPresent()
        ? "a personal integration"
        : "deleted key (" + id + ")";
  }

  /** What a person reads when the address holds a parameter the page cannot use. */
  static String explain(InvalidInputException e) {
    return "limit".equals(e.field())
        ? "Rows per page must be a whole number from 1 to " + MAX_PAGE + "."
        : "This page link is not valid: use the Previous and Next links, or start again from the first delivery.";
  }
}
