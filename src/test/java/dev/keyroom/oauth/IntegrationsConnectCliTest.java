package dev.keyroom.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.cli.Main;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyroom integrations connect PROVIDER} end to end against a real OAuth server: the command
 * prints the page to open; a browser signed in as the same person opens it, presses Connect, signs
 * in at the provider and comes back; the command line then lists, shows, tests and disconnects the
 * login by its name. No token or client secret reaches the commands' output or the logs.
 */
class IntegrationsConnectCliTest {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
  private static final String PASSWORD = "mia-own-password-0123456789";

  @TempDir Path dir;
  OAuthWorld world;
  TestKeyroom k;
  Tenancy.Founded acme;
  UserId mia;
  Map<String, String> cli;
  LogCapture logs;
  final List<CliProcess.Result> outputs = new ArrayList<>();

  @BeforeEach
  void start() {
    logs = LogCapture.begin();
    world = new OAuthWorld();
    k =
        TestKeyroom.start(
            TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)), c -> world.configure(c, true));
    acme = k.tenant("acme");
    mia = k.keyroom.tenancy().createUser(acme.tenant().id(), "mia", Role.MEMBER, "test").id();
    k.keyroom.passwords().set(acme.tenant().id(), mia, PASSWORD, false, "test");
    cli =
        Map.of(
            "KEYROOM_TOKEN",
            k.keyroom.tokens().issueForUser(acme.tenant().id(), mia, "cli", "test").token(),
            "KEYROOM_URL",
            k.url());
  }

  @AfterEach
  void stop() {
    k.close();
    world.close();
    logs.close();
  }

  private CliProcess.Result run(String... args) {
    CliProcess.Result r = CliProcess.run(cli, null, args);
    outputs.add(r);
    return r;
  }

  private static CliProcess.Result ok(CliProcess.Result r) {
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    return r;
  }

  @Test
  void connectPrintsThePageWhereTheSignInStarts_andTheLoginIsThenManagedByName() throws Exception {
    CliProcess.Result printed = ok(run("integrations", "connect", "generic"));
    String page = k.url() + "/profile/integrations#oauth-title";
    assertThat(printed.stdout())
        .contains(page)
        .contains("signed in to Keyroom as mia")
        .contains("Connect");
    JsonNode json =
        Json.MAPPER.readTree(ok(run("integrations", "connect", "oauth2", "--json")).stdout());
    assertThat(json.get("provider").asText()).isEqualTo("generic");
    assertThat(json.get("url").asText()).isEqualTo(page);

    // the person's browser: signs in, opens the printed page, presses Connect, signs in at the
    // provider
    Browser b = new Browser(k.url());
    signIn(b);
    HttpResponse<String> integrations = b.get(page);
    assertThat(integrations.statusCode()).isEqualTo(200);
    assertThat(integrations.body())
        .contains("id=\"oauth-title\"")
        .contains("action=\"/profile/integrations/oauth/generic/connect\"");
    HttpResponse<String> continuing =
        post(
            b, "/profile/integrations/oauth/generic/connect", "_csrf=" + csrf(integrations.body()));
    assertThat(continuing.statusCode()).as(continuing.body()).isEqualTo(200);
    Matcher m = Pattern.compile("href=\"([^\"]+)\" id=\"continue\"").matcher(continuing.body());
    assertThat(m.find()).as(continuing.body()).isTrue();
    String back = b.authorize(m.group(1).replace("&amp;", "&"));
    HttpResponse<String> done = b.get(back);
    assertThat(done.statusCode()).isEqualTo(302);
    assertThat(done.headers().firstValue("Location").orElseThrow()).contains("oauth=connected");

    // the command line sees the login by its name (the provider's id)
    CliProcess.Result list = ok(run("integrations", "list"));
    assertThat(list.stdout()).contains("oauth2").contains("generic");
    CliProcess.Result shown = ok(run("integrations", "show", "generic"));
    assertThat(shown.stdout())
        .contains("oauth2/generic (cred_")
        .contains("connected as " + OAuthWorld.SUBJECT)
        .contains("healthy");
    CliProcess.Result tested = ok(run("integrations", "test", "oauth2/generic"));
    assertThat(tested.stdout()).contains("the token works");
    CliProcess.Result deleted = ok(run("integrations", "delete", "generic"));
    assertThat(deleted.stdout())
        .contains("disconnected and deleted")
        .contains("the provider revoked its tokens");
    assertThat(world.revocations.get()).isPositive();
    assertThat(ok(run("integrations", "list", "--json")).stdout()).doesNotContain("oauth2");

    String everything =
        logs.lines().stream()
                .filter(
                    l ->
                        !l.startsWith("no.nav")
                            && !l.startsWith("mockwebserver")
                            && !l.startsWith("okhttp3"))
                .reduce("", String::concat)
            + outputs.stream().map(r -> r.stdout() + r.stderr()).reduce("", String::concat);
    List<String> secrets = new ArrayList<>(world.issuedTokens);
    secrets.add(OAuthWorld.CLIENT_SECRET);
    assertThat(world.issuedTokens).isNotEmpty();
    for (String s : secrets) {
      assertThat(everything).doesNotContain(s);
    }
  }

  @Test
  void aProviderThatIsNotSetUp_orUnknown_isRefusedNamingWhatExists() {
    CliProcess.Result github = run("integrations", "connect", "github");
    assertThat(github.exitCode()).isEqualTo(Main.FAILED);
    assertThat(github.stderr())
        .contains("'github' is not set up on this Keyroom")
        .contains("KEYROOM_OAUTH_GITHUB_CLIENT_ID");
    CliProcess.Result unknown = run("integrations", "connect", "myspace");
    assertThat(unknown.exitCode()).isEqualTo(Main.FAILED);
    assertThat(unknown.stderr()).contains("no sign-in provider 'myspace'").contains("generic");
  }

  private void signIn(Browser b) throws IOException, InterruptedException {
    HttpResponse<String> form = b.get(k.url() + "/signin");
    HttpResponse<String> signedIn =
        post(
            b,
            "/signin",
            "_csrf="
                + csrf(form.body())
                + "&tenant=acme&name=mia&password="
                + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8));
    assertThat(signedIn.statusCode()).as(signedIn.body()).isIn(302, 303);
  }

  private HttpResponse<String> post(Browser b, String path, String form)
      throws IOException, InterruptedException {
    return b.http.send(
        HttpRequest.newBuilder(URI.create(k.url() + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Origin", k.url())
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String csrf(String page) {
    Matcher m = CSRF.matcher(page);
    assertThat(m.find()).as("the page has a form token").isTrue();
    return URLEncoder.encode(m.group(1), StandardCharsets.UTF_8);
  }
}
