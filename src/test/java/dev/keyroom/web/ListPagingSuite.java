package dev.keyroom.web;

import static dev.keyroom.testing.JsonResponses.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.audit.AuditRecord;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.StartedBy;
import dev.keyroom.session.Workroom;
import dev.keyroom.store.Keyset;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.OneKeyroomPerClass;
import dev.keyroom.testing.TestClock;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The paged lists of the web UI and the API on SQLite and PostgreSQL: the audit log, a session's
 * delivery ledger and Config → Secrets. The clock stands still, so rows share their timestamp and
 * only the key's unique column keeps page boundaries exact: walking Next to the end and Previous
 * back must show every row exactly once, in order, however small the pages.
 */
abstract class ListPagingSuite extends OneKeyroomPerClass {
  static final Pattern AUDIT_SEQ = Pattern.compile("<td data-label=\"#\">(\\d+)</td>");
  static final Pattern SECRET_ROW = Pattern.compile("<tr id=\"secret-(cred_[a-z2-7]+)\">");
  static final Pattern DELIVERY_ROW = Pattern.compile("<tr id=\"delivery-(dlv_[a-z2-7]+)\">");

  final TestClock clock = TestClock.standingStill();

  // ---------------------------------------------------------------- audit

  @Test
  void auditPages_showEveryEventOnceInOrder_nextToTheEndAndPreviousBack_evenWhileEventsArrive() {
    Tenancy.Founded t = newTenant("audit-pages");
    createEnvSecrets(t, "A", 23);
    WebSession web = WebSession.admin(k, t);
    List<Long> before = auditSeqs(t, AuditLog.Search.ANY);
    assertThat(before.size()).isGreaterThan(25);

    String first = web.page("/audit?limit=5", 200);
    List<Long> seen = new ArrayList<>(seqs(first));
    // events written after the first page was read: they are newer, so Next never shows them
    createEnvSecrets(t, "LATE", 3);
    String html = first;
    while (link(html, "next") != null) {
      html = web.page(link(html, "next"), 200);
      List<Long> rows = seqs(html);
      assertThat(rows).hasSizeBetween(1, 5);
      seen.addAll(rows);
    }
    assertThat(seen).as("Next to the end").isEqualTo(before).doesNotHaveDuplicates();
    assertThat(link(html, "prev")).isNotNull();

    List<Long> back = new ArrayList<>(seqs(html));
    while (link(html, "prev") != null) {
      html = web.page(link(html, "prev"), 200);
      List<Long> rows = seqs(html);
      assertThat(rows).hasSizeBetween(1, 5);
      back.addAll(0, rows);
    }
    List<Long> now = auditSeqs(t, AuditLog.Search.ANY);
    assertThat(now.subList(3, now.size())).isEqualTo(before);
    assertThat(back)
        .as("Previous back to the newest, including the events written meanwhile")
        .isEqualTo(now)
        .doesNotHaveDuplicates();
    assertThat(link(html, "next")).isNotNull();
  }

  @Test
  void auditApi_pagesTheSameWay_withNextAsBeforeAndPrevAsAfter() {
    Tenancy.Founded t = newTenant("audit-api");
    createEnvSecrets(t, "B", 17);
    String admin = t.adminToken().token();
    ok(k.get("/api/v1/audit?limit=1", admin), 200); // the token's first use is itself an event
    List<Long> all = auditSeqs(t, AuditLog.Search.ANY);

    List<Long> seen = new ArrayList<>();
    JsonNode page = ok(k.get("/api/v1/audit?limit=4", admin), 200);
    assertThat(page.get("prev").isNull()).isTrue();
    while (true) {
      List<Long> rows = apiSeqs(page);
      assertThat(rows).hasSizeBetween(1, 4);
      seen.addAll(rows);
      if (page.get("next").isNull()) {
        break;
      }
      page = ok(k.get("/api/v1/audit?limit=4&before=" + page.get("next").asLong(), admin), 200);
    }
    assertThat(seen).isEqualTo(all).doesNotHaveDuplicates();

    List<Long> back = new ArrayList<>(apiSeqs(page));
    while (!page.get("prev").isNull()) {
      page = ok(k.get("/api/v1/audit?limit=4&after=" + page.get("prev").asLong(), admin), 200);
      back.addAll(0, apiSeqs(page));
    }
    assertThat(back).isEqualTo(all);

    // the filtered list pages the same way: only secret events, all of them, once
    List<Long> secretEvents =
        auditSeqs(t, new AuditLog.Search(null, "secret", null, null, null, null, null));
    List<Long> filtered = new ArrayList<>();
    String cursor = "";
    do {
      page = ok(k.get("/api/v1/audit?action=secret&limit=3" + cursor, admin), 200);
      filtered.addAll(apiSeqs(page));
      cursor = page.get("next").isNull() ? null : "&before=" + page.get("next").asLong();
    } while (cursor != null);
    assertThat(filtered).isEqualTo(secretEvents).hasSize(17);
  }

  @Test
  void auditFilters_byEventTypeActorWorkroomAndDates_onThePageAndInTheApi() {
    Tenancy.Founded t = newTenant("audit-filters");
    TenantId tenant = t.tenant().id();
    User bob = k.keyroom.tenancy().createUser(tenant, "bob", Role.MEMBER, "test");
    String bobActor = "user:" + bob.id().value();
    CredentialScope scope = CredentialScope.tenantSecrets(tenant);
    CredentialInfo early =
        k.keyroom
            .vault()
            .create(scope, "env", "EARLY", SecretValue.ofUtf8("early-value"), bobActor);
    Workroom studio = k.keyroom.workrooms().create(tenant, "studio", List.of(), "test");
    clock.advance(Duration.ofDays(2));
    CredentialInfo late =
        k.keyroom.vault().create(scope, "env", "LATE", SecretValue.ofUtf8("late-value"), "test");
    Workroom lab = k.keyroom.workrooms().create(tenant, "lab", List.of(), bobActor);
    k.addMember(tenant, lab.id(), t.admin().id());
    Sessions.Started s =
        k.keyroom.sessions().start(tenant, lab.id(), t.admin().id(), StartedBy.SELF, "test");
    String admin = t.adminToken().token();
    WebSession web = WebSession.admin(k, t);

    // kind of event
    List<AuditRecord> workroomEvents = rows(web.page("/audit?action=workroom", 200), t);
    assertThat(workroomEvents)
        .extracting(AuditRecord::action)
        .isNotEmpty()
        .allMatch(a -> a.startsWith("workroom."));
    assertThat(apiActions(ok(k.get("/api/v1/audit?action=workroom", admin), 200)))
        .isEqualTo(workroomEvents.stream().map(AuditRecord::action).toList());
    // actor: the page takes the person's name, the API the actor
    List<AuditRecord> byBob = rows(web.page("/audit?actor=bob", 200), t);
    assertThat(byBob)
        .extracting(AuditRecord::action)
        .containsExactly("workroom.create", "secret.create");
    assertThat(byBob).allMatch(r -> r.actor().equals(bobActor));
    assertThat(apiActions(ok(k.get("/api/v1/audit?actor=" + bobActor, admin), 200)))
        .containsExactly("workroom.create", "secret.create");
    // workroom
    List<AuditRecord> inLab = rows(web.page("/audit?workroom=" + lab.id().value(), 200), t);
    assertThat(inLab)
        .extracting(AuditRecord::action)
        .contains("workroom.create", "session.start")
        .doesNotContain("secret.create");
    assertThat(inLab).allMatch(r -> lab.id().value().equals(r.workroomId()));
    assertThat(rows(web.page("/audit?workroom=" + studio.id().value(), 200), t))
        .extracting(AuditRecord::workroomId)
        .containsOnly(studio.id().value());
    // dates (UTC days): the first day holds EARLY, the last day LATE and the session
    List<AuditRecord> firstDay = rows(web.page("/audit?from=2026-03-10&to=2026-03-10", 200), t);
    assertThat(firstDay)
        .extracting(AuditRecord::targetId)
        .contains(early.id())
        .doesNotContain(late.id(), s.session().id().value());
    List<AuditRecord> lastDay = rows(web.page("/audit?from=2026-03-12", 200), t);
    assertThat(lastDay)
        .extracting(AuditRecord::targetId)
        .contains(late.id(), s.session().id().value())
        .doesNotContain(early.id());
    assertThat(rows(web.page("/audit?to=2026-03-11", 200), t))
        .extracting(AuditRecord::targetId)
        .doesNotContain(late.id());
    long dayTwo = java.time.Instant.parse("2026-03-11T00:00:00Z").toEpochMilli();
    assertThat(apiTargets(ok(k.get("/api/v1/audit?from=" + dayTwo, admin), 200)))
        .contains(late.id())
        .doesNotContain(early.id());
    assertThat(apiTargets(ok(k.get("/api/v1/audit?to=" + dayTwo, admin), 200)))
        .contains(early.id())
        .doesNotContain(late.id());
    // filters combine, and Next keeps them
    String page = web.page("/audit?action=secret&actor=bob&limit=1", 200);
    assertThat(rows(page, t)).extracting(AuditRecord::targetId).containsExactly(early.id());
    assertThat(link(page, "next")).isNull();
    String all = web.page("/audit?action=secret&limit=1", 200);
    assertThat(WebSession.unescape(link(all, "next")))
        .contains("action=secret")
        .contains("limit=1")
        .contains("before=");
  }

  // ---------------------------------------------------------------- bad parameters

  @Test
  void badParameters_areA400NamingTheParameterInTheApi_andAFriendlyMessageOnThePage() {
    Tenancy.Founded t = newTenant("bad-params");
    TenantId tenant = t.tenant().id();
    String admin = t.adminToken().token();
    Workroom w = k.keyroom.workrooms().create(tenant, "studio", List.of(), "test");
    k.addMember(tenant, w.id(), t.admin().id());
    Sessions.Started s =
        k.keyroom.sessions().start(tenant, w.id(), t.admin().id(), StartedBy.SELF, "test");
    String deliveries = "/api/v1/sessions/" + s.session().id().value() + "/deliveries";

    refused(k.get("/api/v1/audit?limit=100000", admin), "limit");
    refused(k.get("/api/v1/audit?limit=0", admin), "limit");
    refused(k.get("/api/v1/audit?limit=ten", admin), "limit");
    refused(k.get("/api/v1/audit?before=abc", admin), "before");
    refused(k.get("/api/v1/audit?after=0", admin), "after");
    refused(k.get("/api/v1/audit?before=9&after=3", admin), "before");
    refused(k.get("/api/v1/audit?from=yesterday", admin), "from");
    refused(k.get("/api/v1/audit?from=2000&to=1000", admin), "to");
    refused(k.get(deliveries + "?limit=100000", admin), "limit");
    refused(k.get(deliveries + "?after=nonsense", admin), "after");
    refused(k.get(deliveries + "?before=dlv_aaaaaaaaaaaaaaaaaaaaaaaaaa", admin), "before");

    WebSession web = WebSession.admin(k, t);
    String ledger =
        "/workrooms/" + w.id().value() + "/sessions/" + s.session().id().value() + "/deliveries";
    for (String[] c :
        new String[][] {
          {"/audit?limit=100000", "Rows per page must be a whole number from 1 to 200"},
          {"/audit?limit=-1", "Rows per page"},
          {"/audit?before=abc", "This page link is not valid"},
          {"/audit?after=1&before=2", "This page link is not valid"},
          {"/audit?from=2026-13-45", "The From date must look like 2026-01-31"},
          {"/audit?to=soon", "The To date must look like 2026-01-31"},
          {"/audit?from=2026-03-10&to=2026-03-01", "The To date is before the From date"},
          {"/config/secrets?limit=0", "Rows per page"},
          {"/config/secrets?after=nonsense", "This page link is not valid"},
          {ledger + "?limit=100000", "Rows per page"},
          {ledger + "?after=dlv_aaaaaaaaaaaaaaaaaaaaaaaaaa", "This page link is not valid"}
        }) {
      String body = web.page(c[0], 400);
      assertThat(body)
          .as(c[0])
          .contains("id=\"list-error\"")
          .contains(c[1])
          .doesNotContain("Something went wrong");
    }
  }

  // ---------------------------------------------------------------- deliveries

  @Test
  void aSessionsDeliveries_pageEveryRowOnce_evenWhenTheyShareATime() {
    Tenancy.Founded t = newTenant("deliveries");
    TenantId tenant = t.tenant().id();
    List<Workroom.Tool> tools =
        createEnvSecrets(t, "D", 6).stream()
            .map(c -> new Workroom.Tool("env", new CredentialId(c.id())))
            .toList();
    Workroom w = k.keyroom.workrooms().create(tenant, "studio", tools, "test");
    k.addMember(tenant, w.id(), t.admin().id());
    Sessions.Started s =
        k.keyroom.sessions().start(tenant, w.id(), t.admin().id(), StartedBy.SELF, "test");
    String sid = s.session().id().value();
    for (int i = 0; i < 3; i++) {
      ok(k.get("/api/v1/sessions/" + sid + "/environment", s.token()), 200);
    }
    String admin = t.adminToken().token();
    JsonNode whole = ok(k.get("/api/v1/sessions/" + sid + "/deliveries?limit=1000", admin), 200);
    List<String> all = new ArrayList<>();
    whole.get("deliveries").forEach(d -> all.add(d.get("id").asText()));
    assertThat(all).hasSize(18).doesNotHaveDuplicates();
    assertThat(
            new HashSet<Long>(
                whole.get("deliveries").findValues("fetchedAt").stream()
                    .map(JsonNode::asLong)
                    .toList()))
        .as("every delivery has the same time")
        .hasSize(1);
    assertThat(whole.get("next").isNull()).isTrue();

    // API: next as after to the end, prev as before back
    List<String> seen = new ArrayList<>();
    JsonNode page = ok(k.get("/api/v1/sessions/" + sid + "/deliveries?limit=4", admin), 200);
    while (true) {
      page.get("deliveries").forEach(d -> seen.add(d.get("id").asText()));
      if (page.get("next").isNull()) {
        break;
      }
      page =
          ok(
              k.get(
                  "/api/v1/sessions/"
                      + sid
                      + "/deliveries?limit=4&after="
                      + page.get("next").asText(),
                  admin),
              200);
    }
    assertThat(seen).isEqualTo(all);
    List<String> back = new ArrayList<>();
    page.get("deliveries").forEach(d -> back.add(d.get("id").asText()));
    while (!page.get("prev").isNull()) {
      page =
          ok(
              k.get(
                  "/api/v1/sessions/"
                      + sid
                      + "/deliveries?limit=4&before="
                      + page.get("prev").asText(),
                  admin),
              200);
      List<String> rows = new ArrayList<>();
      page.get("deliveries").forEach(d -> rows.add(d.get("id").asText()));
      back.addAll(0, rows);
    }
    assertThat(back).isEqualTo(all);

    // the workroom page shows the first ten and links to the whole ledger
    WebSession web = WebSession.admin(k, t);
    String room = web.page("/workrooms/" + w.id().value(), 200);
    assertThat(ids(room, DELIVERY_ROW)).isEqualTo(all.subList(0, WorkroomsPages.LEDGER_PREVIEW));
    String ledger = "/workrooms/" + w.id().value() + "/sessions/" + sid + "/deliveries";
    assertThat(room).contains("href=\"" + ledger + "\"");
    assertThat(walk(web, ledger + "?limit=5", DELIVERY_ROW, 5)).isEqualTo(all);
    assertThat(walkBack(web, ledger + "?limit=5", DELIVERY_ROW, 5)).isEqualTo(all);
    assertThat(ids(web.page(ledger, 200), DELIVERY_ROW)).isEqualTo(all);
  }

  @Test
  void aSessionsLedgerPage_isOnlyForItsPersonAndAdmins() {
    Tenancy.Founded t = newTenant("ledger-access");
    TenantId tenant = t.tenant().id();
    Workroom w = k.keyroom.workrooms().create(tenant, "studio", List.of(), "test");
    User bob = k.keyroom.tenancy().createUser(tenant, "bob", Role.MEMBER, "test");
    User carol = k.keyroom.tenancy().createUser(tenant, "carol", Role.MEMBER, "test");
    k.addMember(tenant, w.id(), bob.id());
    k.addMember(tenant, w.id(), carol.id());
    Sessions.Started s =
        k.keyroom.sessions().start(tenant, w.id(), bob.id(), StartedBy.SELF, "test");
    String ledger =
        "/workrooms/" + w.id().value() + "/sessions/" + s.session().id().value() + "/deliveries";
    WebSession.signIn(k, tenant, t.tenant().name(), bob.id(), "bob").page(ledger, 200);
    WebSession.admin(k, t).page(ledger, 200);
    WebSession.signIn(k, tenant, t.tenant().name(), carol.id(), "carol").page(ledger, 404);
    Tenancy.Founded other = newTenant("ledger-other");
    WebSession.admin(k, other).page(ledger, 404);
  }

  // ---------------------------------------------------------------- secrets

  @Test
  void secrets_areFoundByNameOrKind_andPagedInKindAndNameOrder() {
    Tenancy.Founded t = newTenant("secrets");
    CredentialScope scope = CredentialScope.tenantSecrets(t.tenant().id());
    CredentialInfo prodGemini = create(scope, "gemini", "prod-gemini");
    CredentialInfo stagingGemini = create(scope, "gemini", "staging-gemini");
    CredentialInfo prodOpenai = create(scope, "openai", "Prod-OpenAI");
    CredentialInfo prodDb = create(scope, "env", "PROD_DB_URL");
    CredentialInfo percent = create(scope, "env", "RATE50PCT");
    List<CredentialInfo> many = createEnvSecrets(t, "VAR", 9);
    WebSession web = WebSession.admin(k, t);

    assertThat(ids(web.page("/config/secrets?q=prod", 200), SECRET_ROW))
        .as("name, in any case")
        .containsExactlyInAnyOrder(prodGemini.id(), prodOpenai.id(), prodDb.id());
    assertThat(ids(web.page("/config/secrets?kind=openai", 200), SECRET_ROW))
        .containsExactly(prodOpenai.id());
    assertThat(ids(web.page("/config/secrets?q=google", 200), SECRET_ROW))
        .as("the kind's name")
        .containsExactlyInAnyOrder(prodGemini.id(), stagingGemini.id());
    assertThat(ids(web.page("/config/secrets?q=prod&kind=gemini", 200), SECRET_ROW))
        .containsExactly(prodGemini.id());
    assertThat(ids(web.page("/config/secrets?q=_", 200), SECRET_ROW))
        .as("'_' is a character, not a wildcard")
        .contains(prodDb.id(), many.get(0).id())
        .doesNotContain(prodGemini.id(), percent.id());
    assertThat(ids(web.page("/config/secrets?q=%25", 200), SECRET_ROW))
        .as("'%' is a character, not a wildcard")
        .isEmpty();
    String none = web.page("/config/secrets?q=nothing-like-this", 200);
    assertThat(none).contains("No secrets match").doesNotContain("No secrets yet");
    assertThat(none).contains("value=\"nothing-like-this\"");

    List<String> all = k.keyroom.vault().list(scope).stream().map(CredentialInfo::id).toList();
    assertThat(all).hasSize(14);
    assertThat(walk(web, "/config/secrets?limit=4", SECRET_ROW, 4)).isEqualTo(all);
    assertThat(walkBack(web, "/config/secrets?limit=4", SECRET_ROW, 4)).isEqualTo(all);
    // a search pages too, and its links keep it
    List<String> vars = many.stream().map(CredentialInfo::id).toList();
    assertThat(walk(web, "/config/secrets?q=var&kind=env&limit=2", SECRET_ROW, 2)).isEqualTo(vars);
    // a secret deleted between two pages does not break the next link
    String first = web.page("/config/secrets?limit=4", 200);
    List<String> firstIds = ids(first, SECRET_ROW);
    k.keyroom.vault().delete(scope, new CredentialId(firstIds.get(3)), "test");
    List<String> rest = ids(web.page(link(first, "next"), 200), SECRET_ROW);
    assertThat(rest).isEqualTo(all.subList(4, 8));
  }

  @Test
  void secretsApi_searchesAndPagesLikeThePage_byKindThenName_andIntegrationsStayTheirOwners() {
    Tenancy.Founded t = newTenant("secrets-api");
    String admin = t.adminToken().token();
    CredentialScope scope = CredentialScope.tenantSecrets(t.tenant().id());
    CredentialInfo prodGemini = create(scope, "gemini", "prod");
    CredentialInfo stagingGemini = create(scope, "gemini", "staging");
    CredentialInfo prodDb = create(scope, "database-password", "prod");
    List<CredentialInfo> vars = createEnvSecrets(t, "VAR", 7);
    List<String> all = k.keyroom.vault().list(scope).stream().map(CredentialInfo::id).toList();
    assertThat(all).hasSize(10);

    JsonNode whole = ok(k.get("/api/v1/secrets", admin), 200);
    assertThat(apiIds(whole)).as("one page holds up to 200 by default").isEqualTo(all);
    assertThat(whole.get("next").isNull()).isTrue();
    assertThat(whole.get("prev").isNull()).isTrue();

    List<String> seen = new ArrayList<>();
    JsonNode page = ok(k.get("/api/v1/secrets?limit=3", admin), 200);
    while (true) {
      assertThat(apiIds(page)).hasSizeBetween(1, 3);
      seen.addAll(apiIds(page));
      if (page.get("next").isNull()) {
        break;
      }
      page = ok(k.get("/api/v1/secrets?limit=3&after=" + q(page.get("next").asText()), admin), 200);
    }
    assertThat(seen).isEqualTo(all);
    List<String> back = new ArrayList<>(apiIds(page));
    while (!page.get("prev").isNull()) {
      page =
          ok(k.get("/api/v1/secrets?limit=3&before=" + q(page.get("prev").asText()), admin), 200);
      back.addAll(0, apiIds(page));
    }
    assertThat(back).isEqualTo(all);

    assertThat(apiIds(ok(k.get("/api/v1/secrets?name=prod", admin), 200)))
        .as("an exact name, in every kind")
        .containsExactlyInAnyOrder(prodGemini.id(), prodDb.id());
    assertThat(apiIds(ok(k.get("/api/v1/secrets?name=prod&kind=gemini", admin), 200)))
        .containsExactly(prodGemini.id());
    assertThat(apiIds(ok(k.get("/api/v1/secrets?name=pro", admin), 200)))
        .as("name is exact, not a search")
        .isEmpty();
    assertThat(apiIds(ok(k.get("/api/v1/secrets?q=PRO", admin), 200)))
        .as("q: part of a name, any case")
        .containsExactlyInAnyOrder(prodGemini.id(), prodDb.id());
    assertThat(apiIds(ok(k.get("/api/v1/secrets?q=google", admin), 200)))
        .as("q: the kind's display name")
        .containsExactlyInAnyOrder(prodGemini.id(), stagingGemini.id());
    List<String> varIds = vars.stream().map(CredentialInfo::id).toList();
    List<String> varsPaged = new ArrayList<>();
    String cursor = "";
    do {
      page = ok(k.get("/api/v1/secrets?q=var&kind=env&limit=2" + cursor, admin), 200);
      varsPaged.addAll(apiIds(page));
      cursor = page.get("next").isNull() ? null : "&after=" + q(page.get("next").asText());
    } while (cursor != null);
    assertThat(varsPaged).as("a search pages too").isEqualTo(varIds);

    refused(k.get("/api/v1/secrets?kind=no-such-kind", admin), "kind");
    refused(k.get("/api/v1/secrets?limit=201", admin), "limit");
    refused(k.get("/api/v1/secrets?after=nocolon", admin), "after");
    refused(k.get("/api/v1/secrets?after=env:A&before=env:B", admin), "before");

    // the caller's own integrations: the same list, never another person's
    User other =
        k.keyroom.tenancy().createUser(t.tenant().id(), "other-person", Role.MEMBER, "test");
    CredentialInfo mine =
        create(CredentialScope.integrationsOf(t.tenant().id(), t.admin().id()), "git-token", "gh");
    create(CredentialScope.integrationsOf(t.tenant().id(), other.id()), "git-token", "gh");
    assertThat(apiIds(ok(k.get("/api/v1/me/integrations?name=gh", admin), 200)))
        .containsExactly(mine.id());
    assertThat(apiIds(ok(k.get("/api/v1/me/integrations?q=git", admin), 200)))
        .containsExactly(mine.id());
  }

  // ---------------------------------------------------------------- helpers

  List<CredentialInfo> createEnvSecrets(Tenancy.Founded t, String prefix, int n) {
    CredentialScope scope = CredentialScope.tenantSecrets(t.tenant().id());
    List<CredentialInfo> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          k.keyroom
              .vault()
              .create(
                  scope,
                  "env",
                  String.format("%s_%02d", prefix, i),
                  SecretValue.ofUtf8("paging-value-" + prefix + "-" + i),
                  "test"));
    }
    return out;
  }

  CredentialInfo create(CredentialScope scope, String kind, String name) {
    return k.keyroom
        .vault()
        .create(scope, kind, name, SecretValue.ofUtf8("paging-" + name + "-0123456789"), "test");
  }

  /**
   * Every sequence number of the tenant's log that matches, newest first (one page from the store).
   */
  List<Long> auditSeqs(Tenancy.Founded t, AuditLog.Search search) {
    return k
        .keyroom
        .audit()
        .page(t.tenant().id(), search, Keyset.From.start(), AuditLog.MAX_PAGE)
        .rows()
        .stream()
        .map(AuditRecord::seq)
        .toList();
  }

  /** The audit rows a page shows, read back by their sequence numbers. */
  List<AuditRecord> rows(String html, Tenancy.Founded t) {
    List<AuditRecord> all =
        k.keyroom
            .audit()
            .page(t.tenant().id(), AuditLog.Search.ANY, Keyset.From.start(), AuditLog.MAX_PAGE)
            .rows();
    return seqs(html).stream()
        .map(seq -> all.stream().filter(r -> r.seq() == seq).findFirst().orElseThrow())
        .toList();
  }

  static List<Long> seqs(String html) {
    List<Long> out = new ArrayList<>();
    Matcher m = AUDIT_SEQ.matcher(html);
    while (m.find()) {
      out.add(Long.parseLong(m.group(1)));
    }
    return out;
  }

  static List<String> ids(String html, Pattern row) {
    List<String> out = new ArrayList<>();
    Matcher m = row.matcher(html);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  static List<String> apiIds(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("credentials").forEach(c -> out.add(c.get("id").asText()));
    return out;
  }

  /** A cursor as a query parameter value. */
  static String q(String cursor) {
    return java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8);
  }

  static List<Long> apiSeqs(JsonNode page) {
    List<Long> out = new ArrayList<>();
    page.get("events").forEach(e -> out.add(e.get("seq").asLong()));
    return out;
  }

  static List<String> apiActions(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("events").forEach(e -> out.add(e.get("action").asText()));
    return out;
  }

  static List<String> apiTargets(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("events").forEach(e -> out.add(e.get("targetId").asText()));
    return out;
  }

  /** The href of the page's rel=next or rel=prev link, or null. */
  static String link(String html, String rel) {
    Matcher m = Pattern.compile("rel=\"" + rel + "\" href=\"([^\"]+)\"").matcher(html);
    return m.find() ? m.group(1) : null;
  }

  /** Rows from {@code start} following Next to the end; every page holds 1 to {@code size} rows. */
  static List<String> walk(WebSession web, String start, Pattern row, int size) {
    List<String> out = new ArrayList<>();
    String html = web.page(start, 200);
    assertThat(link(html, "prev")).as("the first page has no Previous link").isNull();
    while (true) {
      List<String> rows = ids(html, row);
      assertThat(rows).hasSizeBetween(1, size);
      out.addAll(rows);
      String next = link(html, "next");
      if (next == null) {
        return out;
      }
      html = web.page(next, 200);
    }
  }

  /** Rows from the last page following Previous back to the first, in list order. */
  static List<String> walkBack(WebSession web, String start, Pattern row, int size) {
    String html = web.page(start, 200);
    while (link(html, "next") != null) {
      html = web.page(link(html, "next"), 200);
    }
    List<String> out = new ArrayList<>(ids(html, row));
    while (link(html, "prev") != null) {
      html = web.page(link(html, "prev"), 200);
      List<String> rows = ids(html, row);
      assertThat(rows).hasSizeBetween(1, size);
      out.addAll(0, rows);
    }
    return out;
  }

  static void refused(HttpResponse<String> res, String parameter) {
    JsonNode body = ok(res, 400);
    assertThat(body.get("error").asText()).isEqualTo("invalid_request");
    assertThat(body.get("message").asText()).startsWith(parameter + ":");
  }
}
