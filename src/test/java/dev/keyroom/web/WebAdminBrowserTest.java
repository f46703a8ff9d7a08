package dev.keyroom.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.session.SessionId;
import dev.keyroom.session.SessionInfo;
import dev.keyroom.session.StartedBy;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.WorkroomMembers;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI's people and access pages end to end in headless Chromium against a real Keyroom:
 * Users (invite with a one-time password shown once, a new one for an unused account, roles,
 * disabling someone ends their session, tokens and sign-ins), Profile → API tokens (shown once), a
 * session started from a workroom's page (its token and the commands to paste, shown once — and the
 * commands run), workroom edit and delete, removing a member. Every value shown once appears in
 * exactly one served page, never in a URL or a log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebAdminBrowserTest {
  static final String ADMIN_PASSWORD = "admins passphrase for the people pages";
  static final String MEMBER_PASSWORD = "members-own-passphrase-77";
  static final String HOOK_CANARY = "deploy-hook-WEBADMINcanary-5e4d3c2b1a";
  static final Pattern ONE_TIME = Pattern.compile("[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}");
  static final Pattern USER_TOKEN = Pattern.compile("kr_u_[A-Za-z0-9_-]{43}");
  static final Pattern SESSION_TOKEN = Pattern.compile("kr_sess_[A-Za-z0-9_-]{43}");

  @TempDir static Path dir;
  TestKeyroom kr;
  Browser browser;
  LogCapture logs;

  /** A tenant of its own per test, with an admin who has a password. */
  record Org(String name, Tenancy.Founded founded) {
    TenantId id() {
      return founded.tenant().id();
    }
  }

  @BeforeAll
  void start() {
    Browser.requireChromium();
    logs = LogCapture.begin();
    kr = TestKeyroom.start(TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)), c -> c);
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
    if (logs != null) {
      logs.close();
    }
  }

  Org org(String name) {
    Tenancy.Founded f = kr.tenant(name);
    kr.keyroom.passwords().set(f.tenant().id(), f.admin().id(), ADMIN_PASSWORD, false, "test");
    return new Org(name, f);
  }

  User member(Org org, String name) {
    User u = kr.keyroom.tenancy().createUser(org.id(), name, Role.MEMBER, "test");
    kr.keyroom.passwords().set(org.id(), u.id(), MEMBER_PASSWORD, false, "test");
    return u;
  }

  Page admin(Org org) {
    Page page = browser.signIn(kr.url(), org.name(), "admin", ADMIN_PASSWORD);
    assertThat(page).hasURL(Pattern.compile(".*/workrooms$"));
    return page;
  }

  Page signIn(Org org, String user) {
    return browser.signIn(kr.url(), org.name(), user, MEMBER_PASSWORD);
  }

  /** A workroom with an environment secret (a canary), whose members are {@code members}. */
  Workroom workroom(Org org, String name, User... members) {
    CredentialId hook =
        CredentialId.parse(
            kr.keyroom
                .vault()
                .create(
                    CredentialScope.tenantSecrets(org.id()),
                    "env",
                    "DEPLOY_HOOK",
                    SecretValue.ofUtf8(HOOK_CANARY),
                    "test")
                .id());
    List<WorkroomMembers.UserRef> refs =
        new ArrayList<>(List.of(WorkroomMembers.UserRef.of(org.founded().admin().id())));
    for (User m : members) {
      refs.add(WorkroomMembers.UserRef.of(m.id()));
    }
    return kr.keyroom
        .workrooms()
        .create(
            org.id(),
            new Workrooms.Spec(name, List.of(new Workroom.Tool("env", hook)), null, refs),
            "test");
  }

  /**
   * Posts a form as the page's signed-in person (their cookie and CSRF token), outside the browser.
   */
  HttpResponse<String> post(Page page, String path, String form) throws Exception {
    String cookie =
        page.context().cookies().stream()
            .filter(c -> c.name.equals(WebRouter.SESSION_COOKIE))
            .findFirst()
            .orElseThrow()
            .value;
    String csrf = page.locator("input[name=_csrf]").first().inputValue();
    return kr.http.send(
        HttpRequest.newBuilder(URI.create(kr.url() + path))
            .header("Cookie", WebRouter.SESSION_COOKIE + "=" + cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "_csrf=" + csrf + (form.isEmpty() ? "" : "&" + form)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A value shown once: in exactly one served page, in no URL and in no log line. */
  void shownOnce(String value) {
    assertThat(browser.servedHtml.stream().filter(h -> h.contains(value)).count())
        .as("pages showing the value")
        .isEqualTo(1);
    assertThat(browser.requestedUrls).noneMatch(u -> u.contains(value));
    assertThat(logs.all()).doesNotContain(value);
  }

  @Test
  void adminInvitesSomeone_theOneTimePasswordIsShownOnce_andOnlyAnUnusedAccountGetsAnother()
      throws Exception {
    Org org = org("invites");
    Page page = admin(org);
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Users").setExact(true))
        .click();
    assertThat(page).hasURL(Pattern.compile(".*/users$"));
    assertThat(page.locator("#users")).containsText("admin");

    // The only admin may neither step down nor disable themselves: the tenant keeps an active
    // admin.
    page.locator("#user-" + org.founded().admin().id().value())
        .getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Make member admin"))
        .click();
    assertThat(page.locator("#form-error")).containsText("at least one active admin");
    page.locator("#user-" + org.founded().admin().id().value())
        .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Disable admin"))
        .click();
    assertThat(page.locator("#impact")).containsText("This is you");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Disable admin")).click();
    assertThat(page.locator("#form-error")).containsText("at least one active admin");
    assertThat(kr.keyroom.tenancy().user(org.id(), org.founded().admin().id()).isActive()).isTrue();

    // A bad name is explained and nobody is created.
    page.getByLabel("User name").fill("carol smith!");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Invite")).click();
    assertThat(page.locator("#form-error")).containsText("name: user name must be");
    assertThat(page.getByLabel("User name")).hasValue("carol smith!");
    assertThat(kr.keyroom.tenancy().users(org.id())).hasSize(1);

    // Invite carol: the one-time password is shown once.
    page.getByLabel("User name").fill("carol");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Invite")).click();
    assertThat(page.locator("#one-time")).containsText("Invited carol.");
    assertThat(page.locator("#one-time"))
        .containsText(
            "They sign in at "
                + kr.url()
                + "/signin with organisation invites"
                + " and user name carol");
    String first = page.locator("#one-time-password").textContent().trim();
    assertThat(first).matches(ONE_TIME);
    assertThat(
            page.getByRole(
                AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Copy One-time password for carol")))
        .isVisible();
    assertThat(page.url()).doesNotContain(first);
    Browser.shoot(page, "users-invited");
    page.reload();
    assertThat(page.locator("#one-time-gone")).containsText("shown once");
    assertThat(page.locator("#one-time-password")).hasCount(0);
    assertThat(page.content()).doesNotContain(first);
    shownOnce(first);

    // carol has not used the account: the admin may issue another, which replaces the first.
    User carol =
        kr.keyroom.tenancy().users(org.id()).stream()
            .filter(u -> u.name().equals("carol"))
            .findFirst()
            .orElseThrow();
    assertThat(page.locator("#user-" + carol.id().value())).containsText("never");
    page.getByRole(
            AriaRole.BUTTON, new Page.GetByRoleOptions().setName("New one-time password for carol"))
        .click();
    assertThat(page.locator("#one-time")).containsText("New one-time password for carol.");
    String second = page.locator("#one-time-password").textContent().trim();
    assertThat(second).matches(ONE_TIME).isNotEqualTo(first);
    page.reload();
    assertThat(page.locator("#one-time-gone")).isVisible();
    shownOnce(second);
    assertThat(kr.keyroom.passwords().check(org.name(), "carol", first)).isEmpty();

    // carol signs in with it and must choose her own password; then no admin can issue another.
    Page carolsPage = browser.signIn(kr.url(), org.name(), "carol", second);
    assertThat(carolsPage).hasURL(Pattern.compile(".*/profile/password$"));
    carolsPage.getByLabel("Current password").fill(second);
    carolsPage
        .getByLabel("New password", new Page.GetByLabelOptions().setExact(true))
        .fill("carols very own passphrase");
    carolsPage.getByLabel("New password again").fill("carols very own passphrase");
    carolsPage
        .getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Change password"))
        .click();
    assertThat(carolsPage.getByText("Password changed")).isVisible();
    carolsPage.context().close();
    page.reload();
    assertThat(page.locator("#user-" + carol.id().value())).containsText("just now");
    assertThat(
            page.getByRole(
                AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("New one-time password for carol")))
        .hasCount(0);
    HttpResponse<String> refused =
        post(page, "/users/" + carol.id().value() + "/one-time-password", "");
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body())
        .contains("a one-time password is only for a user who never signed in");
    assertThat(kr.keyroom.passwords().check(org.name(), "carol", "carols very own passphrase"))
        .isPresent();

    // Roles: carol becomes an admin and a member again.
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Make admin carol"))
        .click();
    assertThat(page.locator("#notice")).hasText("carol is now admin.");
    assertThat(kr.keyroom.tenancy().user(org.id(), carol.id()).role()).isEqualTo(Role.ADMIN);
    Browser.shoot(page, "users");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Make member carol"))
        .click();
    assertThat(page.locator("#notice")).hasText("carol is now member.");
    assertThat(kr.keyroom.tenancy().user(org.id(), carol.id()).role()).isEqualTo(Role.MEMBER);
    page.context().close();
  }

  @Test
  void disablingSomeone_endsTheirLiveSession_tokensAndWebSignIn() throws Exception {
    Org org = org("disables");
    User dave = member(org, "dave");
    Workroom room = workroom(org, "Support", dave);
    Page daves = signIn(org, "dave");
    daves.navigate(kr.url() + "/workrooms/" + room.id().value());
    daves
        .getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start a session as dave"))
        .click();
    assertThat(daves.locator("#how-to")).isVisible();
    String sessionToken = daves.locator("#session-token").textContent().trim();
    SessionInfo session = kr.keyroom.sessions().live(org.id(), room.id()).get(0);
    String apiToken =
        kr.keyroom.tokens().issueForUser(org.id(), dave.id(), "scripts", "test").token();
    assertThat(kr.get("/api/v1/me", apiToken).statusCode()).isEqualTo(200);
    assertThat(kr.get("/api/v1/session", sessionToken).statusCode()).isEqualTo(200);

    Page page = admin(org);
    page.navigate(kr.url() + "/users");
    assertThat(page.locator("#user-" + dave.id().value() + " td[data-label='Live sessions']"))
        .hasText("1");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Disable dave")).click();
    assertThat(page.locator("#impact")).containsText("1 live session will end (Support)");
    Browser.shoot(page, "user-disable");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Disable dave")).click();
    assertThat(page.locator("#notice")).containsText("dave is disabled.");
    assertThat(page.locator("#notice")).containsText("1 live session of theirs ended.");
    assertThat(page.locator("#user-" + dave.id().value())).containsText("disabled");

    // Everything dave held has ended, exactly as the API's disable ends it.
    SessionInfo ended = kr.keyroom.sessions().get(org.id(), session.id());
    assertThat(ended.endedAt()).isNotNull();
    assertThat(ended.endReason()).isEqualTo("user disabled");
    HttpResponse<String> refused = kr.get("/api/v1/session", sessionToken);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("has ended (user disabled)");
    assertThat(kr.get("/api/v1/me", apiToken).statusCode()).isEqualTo(401);
    daves.navigate(kr.url() + "/workrooms");
    assertThat(daves).hasURL(Pattern.compile(".*/signin.*"));
    shownOnce(sessionToken);

    // Another tenant's people and workrooms do not exist for this admin: 404, and nothing changes.
    Org other = org("elsewhere");
    User stranger = member(other, "stranger");
    Workroom theirs = workroom(other, "Theirs", stranger);
    String platform = kr.keyroom.tokens().issueService(other.id(), "platform", "test").id().value();
    for (String path :
        List.of(
            "/users/" + stranger.id().value() + "/disable",
            "/workrooms/" + theirs.id().value() + "/edit",
            "/workrooms/" + theirs.id().value() + "/delete")) {
      assertThat(page.navigate(kr.url() + path).status()).as(path).isEqualTo(404);
    }
    page.navigate(kr.url() + "/users");
    for (String[] attempt :
        List.of(
            new String[] {"/users/" + stranger.id().value() + "/disable", ""},
            new String[] {"/users/" + stranger.id().value() + "/role", "role=admin"},
            new String[] {"/users/" + stranger.id().value() + "/one-time-password", ""},
            new String[] {"/workrooms/" + theirs.id().value() + "/edit", "name=Taken"},
            new String[] {"/workrooms/" + theirs.id().value() + "/delete", ""},
            new String[] {"/users/service-tokens/" + platform + "/revoke", ""})) {
      assertThat(post(page, attempt[0], attempt[1]).statusCode()).as(attempt[0]).isEqualTo(404);
    }
    User after = kr.keyroom.tenancy().user(other.id(), stranger.id());
    assertThat(after.isActive()).isTrue();
    assertThat(after.role()).isEqualTo(Role.MEMBER);
    assertThat(kr.keyroom.workrooms().get(other.id(), theirs.id()).name()).isEqualTo("Theirs");
    assertThat(kr.keyroom.passwords().check(other.name(), "stranger", MEMBER_PASSWORD)).isPresent();
    assertThat(kr.keyroom.tokens().list(other.id(), null).get(0).revokedAt()).isNull();
    daves.context().close();
    page.context().close();
  }

  @Test
  void aSessionStartedInTheUi_showsItsTokenAndCommandsOnce_andTheCommandsRun() throws Exception {
    Org org = org("sessions");
    User erin = member(org, "erin");
    Workroom room = workroom(org, "Research lab", erin);
    Page page = signIn(org, "erin");

    // Profile → API tokens: a new token is shown once; revoking one refuses it.
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("API tokens")).click();
    assertThat(page.locator("#no-tokens")).isVisible();
    page.getByLabel("Name").fill("laptop");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create token")).click();
    assertThat(page.locator("#new-token")).containsText("Created laptop.");
    String token = page.locator("#token-value").textContent().trim();
    assertThat(token).matches(USER_TOKEN);
    assertThat(page.locator("#new-token")).containsText("keyroom login " + kr.url());
    assertThat(page.locator("#tokens")).containsText("laptop");
    Browser.shoot(page, "tokens-created");
    page.reload();
    assertThat(page.locator("#token-gone")).containsText("shown once");
    assertThat(page.content()).doesNotContain(token);
    shownOnce(token);
    assertThat(kr.get("/api/v1/me", token).statusCode()).isEqualTo(200);
    page.getByLabel("Name").fill("old script");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create token")).click();
    String old = page.locator("#token-value").textContent().trim();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revoke old script"))
        .click();
    assertThat(page.locator("#notice"))
        .hasText("Revoked old script. Anything using it is refused from now on.");
    assertThat(kr.get("/api/v1/me", old).statusCode()).isEqualTo(401);
    assertThat(page.locator("#tokens")).containsText("revoked");
    assertThat(page.locator("#tokens")).containsText("just now");
    Browser.shoot(page, "tokens");

    // Start a session from the workroom's page: its token and the commands, once.
    page.navigate(kr.url() + "/workrooms/" + room.id().value());
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start a session as erin"))
        .click();
    assertThat(page.locator("#how-to")).isVisible();
    SessionInfo session = kr.keyroom.sessions().live(org.id(), room.id()).get(0);
    String sessionToken = page.locator("#session-token").textContent().trim();
    assertThat(sessionToken)
        .matches(SESSION_TOKEN)
        .isEqualTo(kr.keyroom.sessions().token(org.id(), session.id()));
    String tokenCommand = page.locator("#token-command").textContent().trim();
    String workroomCommand = page.locator("#workroom-command").textContent().trim();
    assertThat(tokenCommand)
        .isEqualTo(
            "KEYROOM_URL="
                + kr.url()
                + " KEYROOM_SESSION_TOKEN="
                + sessionToken
                + " keyroom run -- python agent.py");
    assertThat(workroomCommand)
        .isEqualTo("keyroom run --workroom 'Research lab' -- python agent.py");
    Browser.shoot(page, "workroom-session-started");
    page.reload();
    assertThat(page.locator("#token-gone")).containsText("shown once");
    assertThat(page.locator("#workroom-command")).hasText(workroomCommand);
    assertThat(page.content()).doesNotContain(sessionToken).doesNotContain("kr_sess_");
    shownOnce(sessionToken);

    // The commands as pasted, with a command of our own in place of the example: both see the
    // workroom's secret.
    Path out = Files.createDirectories(dir.resolve("run-out"));
    CliProcess.Result withToken = paste(tokenCommand, Map.of(), out.resolve("token"));
    assertThat(withToken.exitCode()).as(withToken.stderr()).isZero();
    assertThat(Files.readString(out.resolve("token")))
        .isEqualTo(HOOK_CANARY + " " + session.id().value());
    CliProcess.Result asPerson =
        paste(
            workroomCommand,
            Map.of("KEYROOM_URL", kr.url(), "KEYROOM_TOKEN", token),
            out.resolve("person"));
    assertThat(asPerson.exitCode()).as(asPerson.stderr()).isZero();
    assertThat(Files.readString(out.resolve("person"))).startsWith(HOOK_CANARY + " ses_");
    for (String text :
        List.of(withToken.stdout(), withToken.stderr(), asPerson.stdout(), asPerson.stderr())) {
      assertThat(text)
          .doesNotContain(HOOK_CANARY)
          .doesNotContain(sessionToken)
          .doesNotContain(token);
    }
    for (String html : browser.servedHtml) {
      assertThat(html).doesNotContain(HOOK_CANARY);
    }
    assertThat(logs.all()).doesNotContain(HOOK_CANARY);
    page.context().close();
  }

  /**
   * Runs a command line as shown on the page: its leading {@code NAME=value} words become the
   * environment, {@code keyroom} is the real CLI, and the example command is replaced by one that
   * writes the workroom's secret and the session id to {@code file}.
   */
  private CliProcess.Result paste(String line, Map<String, String> env, Path file) {
    List<String> words = shellWords(line);
    Map<String, String> environment = new HashMap<>(env);
    while (words.get(0).matches("[A-Z_]+=.*")) {
      String w = words.remove(0);
      environment.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
    }
    assertThat(words.remove(0)).isEqualTo("keyroom");
    assertThat(words.subList(words.size() - 3, words.size()))
        .containsExactly("--", "python", "agent.py");
    words = new ArrayList<>(words.subList(0, words.size() - 2));
    words.addAll(
        List.of(
            "sh",
            "-c",
            "printf '%s %s' \"$DEPLOY_HOOK\" \"$KEYROOM_SESSION_ID\" > '" + file + "'"));
    return CliProcess.run(environment, null, words.toArray(String[]::new));
  }

  /** Splits a POSIX command line of plain and single-quoted words (what the page prints). */
  static List<String> shellWords(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (char c : line.toCharArray()) {
      if (c == '\'') {
        quoted = !quoted;
        any = true;
      } else if (c == ' ' && !quoted) {
        if (any) {
          out.add(word.toString());
          word.setLength(0);
          any = false;
        }
      } else {
        word.append(c);
        any = true;
      }
    }
    if (any) {
      out.add(word.toString());
    }
    return out;
  }

  @Test
  void removingAMember_endsTheirSessionInTheWorkroom_andDropsTheirConsent() {
    Org org = org("members");
    User frank = member(org, "frank");
    User gina = member(org, "gina");
    Workroom room = workroom(org, "Support", frank);
    kr.keyroom.consents().grant(org.id(), frank.id(), room.id(), "test");
    SessionId frankSession =
        kr.keyroom
            .sessions()
            .start(org.id(), room.id(), frank.id(), StartedBy.SELF, "test")
            .session()
            .id();

    Page page = admin(org);
    page.navigate(kr.url() + "/workrooms/" + room.id().value());
    assertThat(page.locator("#members")).containsText("frank");
    page.getByLabel("Add member")
        .selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("gina"));
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add").setExact(true))
        .click();
    assertThat(page.locator("#notice")).containsText("Member added.");
    assertThat(page.locator("#members")).containsText("gina");
    assertThat(kr.keyroom.workrooms().members().isMember(org.id(), room.id(), gina.id())).isTrue();

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Remove frank")).click();
    assertThat(page.locator("#notice")).hasText("Member removed. 1 live session of theirs ended.");
    assertThat(page.locator("#members")).not().containsText("frank");
    assertThat(kr.keyroom.sessions().get(org.id(), frankSession).endedAt()).isNotNull();
    assertThat(kr.keyroom.consents().list(org.id(), frank.id())).isEmpty();
    Page franks = signIn(org, "frank");
    Response gone = franks.navigate(kr.url() + "/workrooms/" + room.id().value());
    assertThat(gone.status()).isEqualTo(404);
    franks.context().close();
    page.context().close();
  }

  @Test
  void adminEditsAWorkroom_andDeletesIt_toldHowManySessionsEnded() {
    Org org = org("edits");
    User hal = member(org, "hal");
    Workroom room = workroom(org, "Scratch", hal);
    var halsSession =
        kr.keyroom.sessions().start(org.id(), room.id(), hal.id(), StartedBy.SELF, "test");
    assertThat(kr.get("/api/v1/session", halsSession.token()).statusCode()).isEqualTo(200);

    Page page = admin(org);
    page.navigate(kr.url() + "/workrooms/" + room.id().value());
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Edit workroom")).click();
    assertThat(
            page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Edit Scratch")))
        .isVisible();
    assertThat(page.getByLabel("Workroom name")).hasValue("Scratch");
    assertThat(
            page.getByRole(
                AriaRole.CHECKBOX,
                new Page.GetByRoleOptions().setName("Environment secret").setExact(true)))
        .isChecked();
    assertThat(page.locator("#member-picks")).hasCount(0);
    Browser.shoot(page, "workroom-edit");
    // A mistake is explained, and nothing changes.
    page.getByLabel("Workroom name").fill("Scratch pad");
    page.locator("#ep0-name").fill("warehouse");
    page.locator("#ep0-host").fill("db internal!");
    page.locator("#ep0-port").fill("5432");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save workroom")).click();
    assertThat(page.locator("#form-error")).containsText("network.endpoints[0].host");
    assertThat(page.getByLabel("Workroom name")).hasValue("Scratch pad");
    assertThat(kr.keyroom.workrooms().get(org.id(), room.id()).name()).isEqualTo("Scratch");
    page.locator("#ep0-host").fill("db.internal");
    page.locator("#ep0-protocol").selectOption("postgres");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save workroom")).click();
    assertThat(page.locator("#notice")).hasText("Workroom saved.");
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Scratch pad")))
        .isVisible();
    assertThat(page.locator("main")).containsText("postgres://db.internal:5432");
    Workroom edited = kr.keyroom.workrooms().get(org.id(), room.id());
    assertThat(edited.name()).isEqualTo("Scratch pad");
    assertThat(edited.tools()).isEqualTo(room.tools());
    assertThat(edited.network().endpoints())
        .extracting(Workroom.Endpoint::host)
        .containsExactly("db.internal");
    assertThat(kr.keyroom.workrooms().members().list(org.id(), room.id())).hasSize(2);
    assertThat(kr.keyroom.sessions().get(org.id(), halsSession.session().id()).endedAt()).isNull();

    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Delete workroom")).click();
    assertThat(page.locator("#impact")).containsText("1 live session will end (for hal)");
    Browser.shoot(page, "workroom-delete");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Delete workroom")).click();
    assertThat(page).hasURL(Pattern.compile(".*/workrooms\\?done=deleted.*"));
    assertThat(page.locator("#notice")).hasText("Workroom deleted. 1 live session in it ended.");
    assertThat(page.locator("main")).not().containsText("Scratch pad");
    // The workroom's sessions went with it: hal's session token is refused.
    assertThat(kr.get("/api/v1/session", halsSession.token()).statusCode()).isEqualTo(401);
    assertThat(kr.keyroom.workrooms().list(org.id())).isEmpty();
    page.context().close();
  }

  @Test
  void aMemberGetsNoUsersPage_andCannotActOnOthers() throws Exception {
    Org org = org("members-only");
    User ivan = member(org, "ivan");
    User judy = member(org, "judy");
    Workroom room = workroom(org, "Support", ivan);
    Page page = signIn(org, "ivan");
    assertThat(page).hasURL(Pattern.compile(".*/profile/integrations$"));
    assertThat(
            page.getByRole(
                AriaRole.LINK, new Page.GetByRoleOptions().setName("Users").setExact(true)))
        .hasCount(0);
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("API tokens")))
        .isVisible();
    for (String path :
        List.of(
            "/users",
            "/users/" + judy.id().value() + "/disable",
            "/workrooms/" + room.id().value() + "/edit",
            "/workrooms/" + room.id().value() + "/delete")) {
      Response r = page.navigate(kr.url() + path);
      assertThat(r.status()).as(path).isEqualTo(403);
      assertThat(page.locator(".alert-error")).containsText("for admins");
    }
    page.navigate(kr.url() + "/workrooms/" + room.id().value());
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Edit workroom")))
        .hasCount(0);
    for (String[] attempt :
        List.of(
            new String[] {"/users", "name=mallory&role=admin"},
            new String[] {"/users/" + judy.id().value() + "/disable", ""},
            new String[] {"/users/" + ivan.id().value() + "/role", "role=admin"},
            new String[] {"/users/" + judy.id().value() + "/one-time-password", ""},
            new String[] {"/workrooms/" + room.id().value() + "/delete", ""})) {
      assertThat(post(page, attempt[0], attempt[1]).statusCode()).as(attempt[0]).isEqualTo(403);
    }
    assertThat(kr.keyroom.tenancy().users(org.id()))
        .extracting(User::name)
        .containsExactly("admin", "ivan", "judy");
    assertThat(kr.keyroom.tenancy().user(org.id(), judy.id()).isActive()).isTrue();
    assertThat(kr.keyroom.tenancy().user(org.id(), ivan.id()).role()).isEqualTo(Role.MEMBER);
    assertThat(kr.keyroom.workrooms().list(org.id())).hasSize(1);
    // Another person's token is not theirs to revoke: as in the API, it is not found.
    String judysToken =
        kr.keyroom.tokens().issueForUser(org.id(), judy.id(), "judys", "test").id().value();
    assertThat(post(page, "/profile/tokens/" + judysToken + "/revoke", "").statusCode())
        .isEqualTo(404);
    assertThat(kr.keyroom.tokens().list(org.id(), judy.id()).get(0).revokedAt()).isNull();
    page.context().close();
  }
}
