package dev.keyroom.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.StartedBy;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.testing.TestClock;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paged lists in headless Chromium: an admin pages the audit log with Next and Previous (the
 * filter kept), searches Config → Secrets by name and by kind, and opens a session's whole delivery
 * ledger from its workroom and pages it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListPagesBrowserTest {
  static final String CANARY = "list-pages-canary-value-7c1e";

  @TempDir static Path dir;
  final TestClock clock = TestClock.standingStill();
  TestKeyroom kr;
  Browser browser;
  Tenancy.Founded acme;
  Workroom studio;
  Sessions.Started session;

  @BeforeAll
  void start() {
    Browser.requireChromium();
    kr = TestKeyroom.sqlite(dir, clock);
    acme = kr.tenant("acme");
    TenantId t = acme.tenant().id();
    CredentialScope scope = CredentialScope.tenantSecrets(t);
    List<Workroom.Tool> tools = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      CredentialInfo c =
          kr.keyroom
              .vault()
              .create(
                  scope,
                  "env",
                  String.format("VAR_%02d", i),
                  SecretValue.ofUtf8(CANARY + i),
                  "test");
      tools.add(new Workroom.Tool("env", new CredentialId(c.id())));
    }
    kr.keyroom
        .vault()
        .create(
            scope,
            "gemini",
            "prod-gemini",
            SecretValue.ofUtf8(CANARY + "-gemini-0123456789"),
            "test");
    kr.keyroom
        .vault()
        .create(
            scope,
            "openai",
            "prod-openai",
            SecretValue.ofUtf8(CANARY + "-openai-0123456789"),
            "test");
    studio = kr.keyroom.workrooms().create(t, "studio", tools, "test");
    kr.addMember(t, studio.id(), acme.admin().id());
    session =
        kr.keyroom.sessions().start(t, studio.id(), acme.admin().id(), StartedBy.SELF, "test");
    assertThat(
            kr.get(
                    "/api/v1/sessions/" + session.session().id().value() + "/environment",
                    session.token())
                .statusCode())
        .isEqualTo(200);
    browser = new Browser();
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (kr != null) {
      kr.close();
    }
  }

  Page signIn() {
    WebSession.admin(kr, acme); // sets the password
    Page page = browser.newPage();
    page.navigate(kr.url() + "/signin");
    page.getByLabel("Organisation").fill("acme");
    page.getByLabel("User name").fill("admin");
    page.getByLabel("Password").fill(WebSession.PASSWORD);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
    assertThat(page).hasURL(Pattern.compile(".*/workrooms$"));
    return page;
  }

  @Test
  void anAdminPagesTheAuditLog_searchesSecrets_andReadsAWholeDeliveryLedger() {
    Page page = signIn();

    // Audit: Next and Previous, with the kind of event kept
    page.navigate(kr.url() + "/audit?limit=5");
    assertThat(page.locator("#audit-table tbody tr")).hasCount(5);
    List<String> first = page.locator("#audit-table tbody td[data-label='#']").allTextContents();
    assertThat(page.locator("nav.pager [rel=prev]")).hasCount(0);
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Next →")).first().click();
    assertThat(page).hasURL(Pattern.compile(".*before=" + (Long.parseLong(first.get(4))) + ".*"));
    List<String> second = page.locator("#audit-table tbody td[data-label='#']").allTextContents();
    assertThat(second).hasSize(5).doesNotContainAnyElementsOf(first);
    assertThat(Long.parseLong(second.get(0))).isEqualTo(Long.parseLong(first.get(4)) - 1);
    Browser.shoot(page, "audit-paged");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("← Previous"))
        .first()
        .click();
    assertThat(page.locator("#audit-table tbody td[data-label='#']"))
        .hasText(first.toArray(String[]::new));

    page.navigate(kr.url() + "/audit");
    page.getByLabel("Kind of event").selectOption("secret");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Filter")).click();
    assertThat(page.locator("#audit-table tbody tr")).hasCount(14);
    page.navigate(page.url() + "&limit=10");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Next →")).first().click();
    assertThat(page.locator("#audit-table tbody tr")).hasCount(4);
    assertThat(page.locator("#audit-table")).not().containsText("workroom.create");
    assertThat(page.getByLabel("Kind of event")).hasValue("secret");

    // A bad address is explained on the page
    page.navigate(kr.url() + "/audit?from=2026-02-30");
    assertThat(page.locator("#list-error")).containsText("The From date must look like 2026-01-31");

    // Config → Secrets: search by name, then by kind
    page.navigate(kr.url() + "/config/secrets");
    page.getByLabel("Search by name or kind").fill("prod");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Search")).click();
    assertThat(page.locator("tr[id^=secret-]")).hasCount(2);
    assertThat(page.getByLabel("Search by name or kind")).hasValue("prod");
    page.locator("#s-kind").selectOption("openai");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Search")).click();
    assertThat(page.locator("tr[id^=secret-]")).hasCount(1);
    assertThat(page.locator("tr[id^=secret-]")).containsText("prod-openai");
    Browser.shoot(page, "secrets-search");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Clear")).click();
    assertThat(page.locator("tr[id^=secret-]")).hasCount(14);

    // The workroom shows the first ten deliveries; the ledger page pages all of them
    page.navigate(kr.url() + "/workrooms/" + studio.id().value());
    assertThat(page.locator("#sessions .ledger tbody tr")).hasCount(WorkroomsPages.LEDGER_PREVIEW);
    page.getByRole(
            AriaRole.LINK, new Page.GetByRoleOptions().setName("All deliveries of this session →"))
        .click();
    assertThat(page.locator("#deliveries tbody tr")).hasCount(12);
    page.navigate(page.url() + "?limit=5");
    assertThat(page.locator("#deliveries tbody tr")).hasCount(5);
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Next →")).first().click();
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Next →")).first().click();
    assertThat(page.locator("#deliveries tbody tr")).hasCount(2);
    assertThat(page.locator("nav.pager [rel=next]")).hasCount(0);
    Browser.shoot(page, "deliveries");

    assertThat(browser.servedHtml).isNotEmpty().noneMatch(html -> html.contains(CANARY));
  }
}
