package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.keyroom.api.ApiRoutes;
import dev.keyroom.app.Config;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.User;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialAad;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.web.Passwords;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Runs Keyroom at DEBUG (as {@code --log-level debug} does) and drives EVERY registered route —
 * taken from the server itself, so a new route is covered without touching this test — plus the
 * proxy and the web UI's "Test key", with canary values in paths, queries, headers and bodies, and
 * with stored values that end in CR/LF (written through the store, past any check at the door). No
 * canary may appear in any log line, stack traces included.
 */
class EveryRouteLogsNoRequestOrCredentialDataTest {
  static final String IN_PATH = "cnrypath7q2w";
  static final String IN_QUERY = "cnryquery7q2w";
  static final String IN_HEADER = "cnryheader7q2w";
  static final String IN_TOKEN = "cnrytoken7q2w";
  static final String IN_BODY = "cnrybody7q2w";
  static final String STORED_SECRET = "cnrystoredsecret7q2w";
  static final String STORED_INTEGRATION = "cnrystoredgit7q2w";
  static final List<String> CANARIES =
      List.of(IN_PATH, IN_QUERY, IN_HEADER, IN_TOKEN, IN_BODY, STORED_SECRET, STORED_INTEGRATION);
  static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");
  static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
  static final String NOWHERE = "http://127.0.0.1:9";

  @TempDir Path dir;
  final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @Test
  void noCanaryReachesTheLog_atDebugLevel_onAnyRoute() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    root.setLevel(Level.DEBUG);
    try (LogCapture log = LogCapture.begin();
        TestKeyroom k = start()) {
      World w = world(k);
      int calls = webKeyTest(k, w);
      HttpResponse<String> tested =
          k.post("/api/v1/me/integrations/" + w.integrationId() + "/test", w.admin(), null);
      assertThat(tested.statusCode()).as(tested.body()).isEqualTo(409);
      assertThat(tested.body())
          .contains(w.integrationId())
          .contains("line break")
          .doesNotContain(STORED_INTEGRATION);
      // The proxy puts the stored key in a header too: refused by credential id, never sent or
      // logged.
      Workroom room =
          k.keyroom
              .workrooms()
              .create(
                  w.tenant(),
                  "proxied",
                  List.of(new Workroom.Tool("gemini", new CredentialId(w.secretId()))),
                  "test");
      k.addMember(w.tenant(), room.id(), w.adminId());
      Sessions.Started proxied =
          k.keyroom
              .sessions()
              .start(
                  w.tenant(), room.id(), w.adminId(), dev.keyroom.session.StartedBy.SELF, "test");
      String placeholder =
          k.keyroom.sessions().placeholders(w.tenant(), proxied.session().id()).get("gemini");
      HttpResponse<String> viaProxy =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(k.url() + "/proxy/gemini/v1beta/models?q=" + IN_QUERY))
                  .header("x-goog-api-key", placeholder)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(viaProxy.statusCode()).as(viaProxy.body()).isEqualTo(409);
      assertThat(viaProxy.body()).contains(w.secretId()).doesNotContain(STORED_SECRET);
      List<ApiRoutes.Route> routes = new ArrayList<>(k.keyroom.http().routes());
      // Tests of stored values first, deletions last, so every route meets the stored canaries.
      routes.sort(
          Comparator.comparingInt(
              r -> r.path().endsWith("/test") ? 0 : r.method().equals("DELETE") ? 2 : 1));
      assertThat(routes).hasSizeGreaterThan(20);
      for (ApiRoutes.Route r : routes) {
        calls += drive(k, r.method(), substitute(r.path(), null), "kr_u_" + pad(IN_TOKEN), false);
        calls += drive(k, r.method(), substitute(r.path(), w), w.admin(), true);
        calls += drive(k, r.method(), substitute(r.path(), w), w.service(), false);
        calls += drive(k, r.method(), substitute(r.path(), w), w.sessionToken(), false);
      }
      for (String method : List.of("GET", "POST")) {
        calls +=
            drive(k, method, "/proxy/openai/v1/" + IN_PATH, "kr_ph_openai_" + pad(IN_TOKEN), true);
        calls += drive(k, method, "/proxy/gemini/v1beta/models/" + IN_PATH, w.admin(), true);
      }
      assertThat(calls).isGreaterThan(100);
      String all = log.all();
      assertThat(all).as("log lines were captured at debug level").isNotEmpty();
      for (String canary : CANARIES) {
        List<String> lines = log.lines().stream().filter(l -> l.contains(canary)).toList();
        assertThat(lines).as("log lines holding canary %s", canary).isEmpty();
      }
    } finally {
      root.setLevel(before);
    }
  }

  record World(
      TenantId tenant,
      UserId adminId,
      String admin,
      String service,
      String sessionToken,
      String secretId,
      String integrationId,
      String skillId,
      String memberId,
      String userTokenId,
      String serviceTokenId,
      String workroomId,
      String sessionId,
      String adminPassword) {}

  TestKeyroom start() {
    Config base =
        TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
            .with(Config.Setting.GIT_API_URL, NOWHERE);
    return TestKeyroom.start(
        base,
        c -> {
          Config out = c;
          for (CredentialKind kind : dev.keyroom.catalog.Catalog.load().proxied()) {
            out = out.withUpstream(kind.id(), NOWHERE);
          }
          return out;
        });
  }

  World world(TestKeyroom k) {
    Tenancy.Founded acme = k.tenant("acme");
    TenantId t = acme.tenant().id();
    String admin = acme.adminToken().token();
    User member = k.keyroom.tenancy().createUser(t, "bob", Role.MEMBER, "test");
    var userToken = k.keyroom.tokens().issueForUser(t, member.id(), "bob's", "test");
    var service = k.keyroom.tokens().issueService(t, "platform", "test");
    CredentialInfo secret =
        storeWithLineBreak(
            k, CredentialScope.tenantSecrets(t), "gemini", "acme-gemini", STORED_SECRET);
    CredentialInfo git =
        storeWithLineBreak(
            k,
            CredentialScope.integrationsOf(t, acme.admin().id()),
            "git-token",
            "admin-github",
            STORED_INTEGRATION);
    var skill = k.keyroom.skills().create(t, "research", "d", List.of("gemini"), "test");
    String workroom =
        field(k.post("/api/v1/workrooms", admin, "{\"name\":\"room\",\"tools\":[]}"), "id");
    k.addMember(t, new dev.keyroom.session.WorkroomId(workroom), acme.admin().id());
    HttpResponse<String> started =
        k.post(
            "/api/v1/workrooms/" + workroom + "/sessions",
            service.token(),
            "{\"userId\":\"" + acme.admin().id().value() + "\"}");
    String password = "the admin's web passphrase";
    new Passwords(k.keyroom.db(), k.keyroom.tenancy(), k.keyroom.audit(), k.keyroom.clock())
        .set(t, acme.admin().id(), password, false, "test");
    return new World(
        t,
        acme.admin().id(),
        admin,
        service.token(),
        field(started, "sessionToken"),
        secret.id(),
        git.id(),
        skill.id(),
        member.id().value(),
        userToken.id().value(),
        service.id().value(),
        workroom,
        field(started, "id"),
        password);
  }

  /**
   * A credential whose stored value is {@code canary} plus CR/LF. Written through the store (the
   * ciphertext replaced with the key and associated data the vault uses), so the test holds even
   * when the vault refuses such values at the door, as it should.
   */
  static CredentialInfo storeWithLineBreak(
      TestKeyroom k, CredentialScope scope, String kind, String name, String canary) {
    CredentialInfo c =
        k.keyroom
            .vault()
            .create(scope, kind, name, SecretValue.ofUtf8(canary + "-clean-0000"), "test");
    storeFirstVersionAsIs(k, scope, new CredentialId(c.id()), kind, canary + "\r\n");
    return c;
  }

  /**
   * Overwrites version 1 of a credential with {@code value} as the vault itself would have stored
   * it, past the rules it checks at the door: a value stored before those rules existed.
   */
  static void storeFirstVersionAsIs(
      TestKeyroom k, CredentialScope scope, CredentialId id, String kind, String value) {
    byte[] aad =
        new CredentialAad(scope.tenant(), scope.home(), scope.owner(), id, 1, kind).encode();
    byte[] ct =
        k.keyroom.keys().encrypt(scope.tenant(), value.getBytes(StandardCharsets.UTF_8), aad);
    k.keyroom
        .db()
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "UPDATE credential_versions SET ciphertext = :c WHERE credential_id = :id AND version = 1")
                    .bind("c", Base64.getEncoder().encodeToString(ct))
                    .bind("id", id.value())
                    .execute());
    assertThat(k.keyroom.vault().resolve(scope, id, null).value().revealUtf8()).isEqualTo(value);
  }

  /** The web UI's "Test key" on the secret whose value ends in CR/LF. */
  int webKeyTest(TestKeyroom k, World w) throws Exception {
    HttpResponse<String> signedIn = new WebSignInForm(k).post("acme", "admin", w.adminPassword());
    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
    String cookie =
        signedIn.headers().allValues("set-cookie").stream()
            .filter(c -> c.startsWith("keyroom_session="))
            .findFirst()
            .orElseThrow()
            .split(";")[0];
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(k.url() + "/config/secrets"))
                .header("Cookie", cookie)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = CSRF.matcher(page.body());
    assertThat(m.find()).as("the secrets page carries a form token").isTrue();
    HttpResponse<String> tested =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(k.url() + "/config/secrets/" + w.secretId() + "/test?q=" + IN_QUERY))
                .header("Cookie", cookie)
                .header("X-Canary", IN_HEADER)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + m.group(1) + "&x=" + IN_BODY))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(tested.body())
        .doesNotContain(STORED_SECRET)
        .contains("cannot be sent in an HTTP header");
    return 1;
  }

  /**
   * One route, with canaries in the query, headers and body (JSON; if {@code all}, also broken JSON
   * and an odd charset).
   */
  int drive(TestKeyroom k, String method, String path, String token, boolean all) throws Exception {
    String url =
        k.url() + path + (path.contains("?") ? "&" : "?") + "format=" + IN_QUERY + "&q=" + IN_QUERY;
    String json =
        "{\"value\":\""
            + IN_BODY
            + "\",\"name\":\""
            + IN_BODY
            + "\",\"userId\":\""
            + IN_BODY
            + "\"}";
    int n = 0;
    List<String[]> bodies =
        List.of(
            new String[] {"application/json", json},
            new String[] {"application/json", "{\"value\":\"" + IN_BODY + "\" " + IN_BODY},
            new String[] {"application/json; charset=" + IN_HEADER, json});
    for (String[] body : all ? bodies : bodies.subList(0, 1)) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(5))
              .header("Authorization", "Bearer " + token)
              .header("X-Canary", IN_HEADER)
              .header("User-Agent", IN_HEADER)
              .header("Cookie", "keyroom_session=" + IN_HEADER)
              .header("x-goog-api-key", IN_HEADER)
              .header("Content-Type", body[0]);
      b.method(
          method,
          method.equals("GET") || method.equals("HEAD")
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body[1]));
      HttpResponse<java.io.InputStream> res =
          http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream())
              .get(30, TimeUnit.SECONDS);
      try (java.io.InputStream in = res.body()) {
        if (!res.headers().firstValue("content-type").orElse("").startsWith("text/event-stream")) {
          CompletableFuture.supplyAsync(() -> readAll(in)).get(30, TimeUnit.SECONDS);
        }
      }
      n++;
    }
    return n;
  }

  static byte[] readAll(java.io.InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Real ids where {@code w} is given and the route names a known resource; a canary otherwise. */
  static String substitute(String template, World w) {
    Matcher m = PARAM.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String before = template.substring(0, m.start());
      String id =
          w == null
              ? IN_PATH
              : before.endsWith("/secrets/")
                  ? w.secretId()
                  : before.endsWith("/me/integrations/")
                      ? w.integrationId()
                      : before.endsWith("/skills/")
                          ? w.skillId()
                          : before.endsWith("/users/")
                              ? w.memberId()
                              : before.endsWith("/me/tokens/")
                                  ? w.userTokenId()
                                  : before.endsWith("/service-tokens/")
                                      ? w.serviceTokenId()
                                      : before.endsWith("/workrooms/")
                                          ? w.workroomId()
                                          : before.endsWith("/sessions/") ? w.sessionId() : IN_PATH;
      m.appendReplacement(sb, Matcher.quoteReplacement(id));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  static String pad(String canary) {
    return (canary + "A".repeat(43)).substring(0, 43);
  }

  static String field(HttpResponse<String> res, String name) {
    assertThat(res.statusCode()).as(res.body()).isLessThan(300);
    try {
      return dev.keyroom.api.Json.MAPPER.readTree(res.body()).get(name).asText();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
