package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyroom workrooms|sessions|users|tokens|audit} and {@code admin create-user-token} as real
 * child processes against one running Keyroom: each command's happy path, an unknown name, and a
 * member refused on an admin command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagementCliTest {
  Path dir;
  TestKeyroom k;
  Tenancy.Founded acme;
  Map<String, String> admin;
  Map<String, String> member;
  Map<String, String> alice;
  User aliceUser;

  @BeforeAll
  void start(@TempDir Path tmp) {
    dir = tmp;
    k = TestKeyroom.sqlite(dir);
    acme = k.tenant("acme");
    admin = env(acme.adminToken().token());
    aliceUser = k.keyroom.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    alice =
        env(
            k.keyroom
                .tokens()
                .issueForUser(acme.tenant().id(), aliceUser.id(), "cli", "test")
                .token());
    User bob = k.keyroom.tenancy().createUser(acme.tenant().id(), "bob", Role.MEMBER, "test");
    member =
        env(k.keyroom.tokens().issueForUser(acme.tenant().id(), bob.id(), "cli", "test").token());
    secret("gemini", "prod-key");
    secret("env", "DEPLOY_HOOK");
    secret("tailscale-auth-key", "office");
    secret("database-password", "orders-db");
  }

  @AfterAll
  void stop() {
    k.close();
  }

  private Map<String, String> env(String token) {
    return Map.of("KEYROOM_TOKEN", token, "KEYROOM_URL", k.url());
  }

  private void secret(String kind, String name) {
    HttpResponse<String> r =
        k.post(
            "/api/v1/secrets",
            acme.adminToken().token(),
            "{\"kind\":\""
                + kind
                + "\",\"name\":\""
                + name
                + "\",\"value\":\"value-of-"
                + name
                + "-0123456789\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private static CliProcess.Result ok(CliProcess.Result r) {
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    return r;
  }

  private static void failsNaming(CliProcess.Result r, String... parts) {
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(Main.FAILED);
    assertThat(r.stderr()).contains(parts);
  }

  private static JsonNode json(CliProcess.Result r) {
    try {
      return Json.MAPPER.readTree(ok(r).stdout());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.stdout(), e);
    }
  }

  /** Independent commands run side by side, so the class stays fast. */
  @SafeVarargs
  private static List<CliProcess.Result> together(Supplier<CliProcess.Result>... runs) {
    return CliProcess.together(runs);
  }

  @Test
  void workrooms_byNames_fromFlagsAndFromAFile() throws Exception {
    JsonNode created =
        json(
            CliProcess.run(
                admin,
                null,
                "workrooms",
                "create",
                "research",
                "--tool",
                "gemini=prod-key",
                "--tool",
                "git-token",
                "--env",
                "DEPLOY_HOOK",
                "--tailscale",
                "office",
                "--member",
                "alice",
                "--json"));
    assertThat(created.get("tools").toString())
        .contains("gemini")
        .contains("git-token")
        .contains("\"env\"");
    assertThat(created.get("members").toString()).contains("alice");
    Path file = dir.resolve("ops.json");
    Files.writeString(
        file,
        """
        {"name": "ops", "tools": [{"kind": "gemini", "secret": "prod-key"}], "env": ["DEPLOY_HOOK"],
         "network": {"endpoints": [{"name": "orders", "host": "db.internal", "port": 5432, "protocol": "postgres",
                                    "passwordSecret": "orders-db", "user": "app", "database": "orders"}]},
         "members": ["bob"]}
        """);
    List<CliProcess.Result> r =
        together(
            () -> CliProcess.run(admin, null, "workrooms", "create", "--file", file.toString()),
            () ->
                CliProcess.run(
                    admin, null, "workrooms", "create", "nope", "--tool", "gemini=no-such-key"),
            () ->
                CliProcess.run(member, null, "workrooms", "create", "mine", "--tool", "git-token"),
            () -> CliProcess.run(admin, null, "workrooms", "show", "research"),
            () -> CliProcess.run(admin, null, "workrooms", "show", "no-such-room"),
            () -> CliProcess.run(admin, null, "workrooms", "--help"));
    assertThat(ok(r.get(0)).stdout()).contains("created workroom ops");
    failsNaming(
        r.get(1),
        "--tool gemini=no-such-key",
        "no secret of kind 'gemini' named 'no-such-key'",
        "keyroom secrets list");
    failsNaming(r.get(2), "creating workrooms requires the admin role", "403");
    assertThat(ok(r.get(3)).stdout())
        .contains("workroom research")
        .contains("prod-key")
        .contains("DEPLOY_HOOK")
        .contains("tailscale: office")
        .contains("(each member's own integration)")
        .contains("members: alice")
        .doesNotContain("value-of-");
    failsNaming(r.get(4), "NAME: no workroom named 'no-such-room'", "keyroom workrooms list");
    assertThat(ok(r.get(5)).stdout()).contains("create").contains("members").contains("delete");

    JsonNode list = json(CliProcess.run(admin, null, "workrooms", "list", "--json"));
    assertThat(list.get("workrooms").findValuesAsText("name")).contains("research", "ops");
    JsonNode ops = api("GET", "/api/v1/workrooms/" + workroomId("ops"), null);
    assertThat(ops.get("network").get("endpoints").get(0).get("passwordSecretId").asText())
        .startsWith("cred_");

    List<CliProcess.Result> edits =
        together(
            () ->
                CliProcess.run(
                    admin,
                    null,
                    "workrooms",
                    "edit",
                    "ops",
                    "--rename",
                    "operations",
                    "--tailscale",
                    "office"),
            () ->
                CliProcess.run(admin, null, "workrooms", "edit", "research", "--member", "nobody"),
            () -> CliProcess.run(admin, null, "workrooms", "members", "research", "--add", "bob"),
            () ->
                CliProcess.run(admin, null, "workrooms", "members", "research", "--add", "nobody"));
    assertThat(ok(edits.get(0)).stdout()).contains("changed workroom operations");
    failsNaming(edits.get(1), "--member nobody", "no user named 'nobody'", "keyroom users list");
    assertThat(ok(edits.get(2)).stdout()).contains("added bob").contains("alice");
    failsNaming(edits.get(3), "--add nobody", "no user named 'nobody'");
    JsonNode operations = api("GET", "/api/v1/workrooms/" + workroomId("operations"), null);
    assertThat(operations.get("network").get("endpoints"))
        .hasSize(1); // --tailscale alone kept the endpoint
    assertThat(operations.get("network").get("tailscaleSecretId").asText()).startsWith("cred_");

    String session = startSession("research", alice);
    CliProcess.Result removed =
        ok(CliProcess.run(admin, null, "workrooms", "members", "research", "--remove", "alice"));
    assertThat(removed.stdout())
        .contains("removed alice (ended 1 live session(s))")
        .doesNotContain("alice  usr_");
    assertThat(
            k.keyroom
                .sessions()
                .get(acme.tenant().id(), dev.keyroom.session.SessionId.parse(session))
                .endedAt())
        .isNotNull();

    List<CliProcess.Result> deletes =
        together(
            () -> CliProcess.run(admin, null, "workrooms", "delete", "operations"),
            () -> CliProcess.run(admin, null, "workrooms", "delete", "operations-typo"));
    assertThat(ok(deletes.get(0)).stdout()).contains("deleted workroom operations");
    failsNaming(deletes.get(1), "no workroom named 'operations-typo'");
  }

  private String startSession(String workroom, Map<String, String> who) throws IOException {
    HttpResponse<String> r =
        k.post(
            "/api/v1/workrooms/" + workroomId(workroom) + "/sessions",
            who.get("KEYROOM_TOKEN"),
            null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Json.MAPPER.readTree(r.body()).get("id").asText();
  }

  private JsonNode api(String method, String path, String body) throws IOException {
    HttpResponse<String> r = k.send(method, path, acme.adminToken().token(), body);
    assertThat(r.statusCode() / 100).as(r.body()).isEqualTo(2);
    return Json.MAPPER.readTree(r.body());
  }

  private String workroomId(String name) throws IOException {
    for (JsonNode w : api("GET", "/api/v1/workrooms", null).get("workrooms")) {
      if (w.get("name").asText().equals(name)) {
        return w.get("id").asText();
      }
    }
    throw new AssertionError("no workroom " + name);
  }

  @Test
  void sessions_listShowEnd() throws Exception {
    api(
        "POST",
        "/api/v1/workrooms",
        "{\"name\":\"labs\",\"tools\":[],\"members\":[{\"name\":\"alice\"}]}");
    String s = startSession("labs", alice);
    List<CliProcess.Result> r =
        together(
            () -> CliProcess.run(admin, null, "sessions", "list", "--workroom", "labs"),
            () -> CliProcess.run(admin, null, "sessions", "list", "--workroom", "no-such-room"),
            () -> CliProcess.run(admin, null, "sessions", "show", s),
            () -> CliProcess.run(admin, null, "sessions", "show", "ses_" + "a".repeat(26)));
    assertThat(ok(r.get(0)).stdout()).contains(s).contains("labs").contains(aliceUser.id().value());
    failsNaming(r.get(1), "--workroom: no workroom named 'no-such-room'");
    assertThat(ok(r.get(2)).stdout()).contains(s).contains("end reason");
    failsNaming(r.get(3), "no session with that id", "404");

    failsNaming(
        CliProcess.run(member, null, "sessions", "end", s),
        "ending another user's session requires the admin role",
        "403");
    CliProcess.Result end = ok(CliProcess.run(admin, null, "sessions", "end", s, "--json"));
    assertThat(json(end).get("endReason").asText())
        .isEqualTo("ended by user:" + acme.admin().id().value());
  }

  @Test
  void users_inviteListSetRoleDisable() {
    CliProcess.Result invite =
        ok(CliProcess.run(admin, null, "users", "invite", "carol", "--role", "member"));
    String password = invite.stdout().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(k.keyroom.passwords().check("acme", "carol", password))
        .hasValueSatisfying(a -> assertThat(a.mustChange()).isTrue());
    List<CliProcess.Result> r =
        together(
            () -> CliProcess.run(admin, null, "users", "list", "--json"),
            () -> CliProcess.run(admin, null, "users", "set-role", "carol", "admin"),
            () -> CliProcess.run(admin, null, "users", "set-role", "nobody", "admin"),
            () -> CliProcess.run(member, null, "users", "list"),
            () -> CliProcess.run(admin, null, "users", "invite", "alice"),
            () -> CliProcess.run(admin, null, "users", "disable", "nobody"));
    assertThat(json(r.get(0)).get("users").findValuesAsText("name"))
        .contains("admin", "alice", "bob", "carol");
    assertThat(ok(r.get(1)).stdout()).contains("carol").contains("is now admin");
    failsNaming(r.get(2), "NAME: no user named 'nobody'");
    failsNaming(r.get(3), "listing users requires the admin role", "403");
    failsNaming(r.get(4), "409");
    failsNaming(r.get(5), "NAME: no user named 'nobody'");
    CliProcess.Result disable = ok(CliProcess.run(admin, null, "users", "disable", "carol"));
    assertThat(disable.stdout()).contains("disabled carol");
    assertThat(k.keyroom.passwords().check("acme", "carol", password)).isEmpty();
  }

  @Test
  void tokens_ownCreateListRevoke_andTheOperatorMintsALostAdminToken() throws Exception {
    JsonNode created = json(CliProcess.run(admin, null, "tokens", "create", "laptop", "--json"));
    String id = created.get("id").asText();
    assertThat(created.get("token").asText()).startsWith("kr_u_");
    List<CliProcess.Result> r =
        together(
            () -> CliProcess.run(admin, null, "tokens", "list"),
            () -> CliProcess.run(admin, null, "tokens", "revoke", "tok_" + "b".repeat(26)),
            () ->
                CliProcess.run(
                    storeEnv(),
                    null,
                    "admin",
                    "create-user-token",
                    "--tenant",
                    "acme",
                    "--user",
                    "admin"),
            () ->
                CliProcess.run(
                    storeEnv(),
                    null,
                    "admin",
                    "create-user-token",
                    "--tenant",
                    "acme",
                    "--user",
                    "bob"));
    assertThat(ok(r.get(0)).stdout()).contains(id).contains("laptop");
    failsNaming(r.get(1), "no token with that id", "404");
    String minted = ok(r.get(2)).stdout().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(k.get("/api/v1/me", minted).statusCode()).isEqualTo(200);
    failsNaming(r.get(3), "'bob' is a member");
    JsonNode issued =
        Json.MAPPER.readTree(
            k.get("/api/v1/audit?action=token.issue", acme.adminToken().token()).body());
    assertThat(issued.get("events").findValuesAsText("actor")).contains("system:cli");

    assertThat(ok(CliProcess.run(admin, null, "tokens", "revoke", id)).stdout())
        .contains("revoked");
    assertThat(k.get("/api/v1/me", created.get("token").asText()).statusCode()).isEqualTo(401);
  }

  private Map<String, String> storeEnv() {
    Map<String, String> e = new HashMap<>();
    e.put("KEYROOM_DATA_DIR", dir.toString());
    return e;
  }

  @Test
  void audit_listAndVerify() {
    List<CliProcess.Result> r =
        together(
            () ->
                CliProcess.run(
                    admin, null, "audit", "list", "--action", "user.create", "--limit", "5"),
            () -> CliProcess.run(admin, null, "audit", "list", "--limit", "0"),
            () -> CliProcess.run(admin, null, "audit", "verify"),
            () -> CliProcess.run(member, null, "audit", "verify"));
    assertThat(ok(r.get(0)).stdout()).contains("user.create").doesNotContain("token.issue");
    failsNaming(r.get(1), "limit", "must be from 1 to 1000");
    assertThat(ok(r.get(2)).stdout()).contains("audit log intact");
    failsNaming(r.get(3), "verifying the audit log requires the admin role", "403");
  }

  @Test
  void auditList_pagesWithTheCommandItPrints_andFiltersLikeTheApi() throws IOException {
    String token = acme.adminToken().token();
    JsonNode all =
        Json.MAPPER.readTree(k.get("/api/v1/audit?action=user&limit=1000", token).body());
    List<String> expected = all.get("events").findValuesAsText("seq");
    assertThat(expected).as("the test's setup made user events").hasSizeGreaterThan(2);

    List<String> seen = new ArrayList<>();
    List<String> args =
        new ArrayList<>(List.of("audit", "list", "--action", "user", "--limit", "2"));
    while (true) {
      CliProcess.Result page = ok(CliProcess.run(admin, null, args.toArray(String[]::new)));
      page.stdout().lines().skip(1).forEach(line -> seen.add(line.split("\\s+")[0]));
      if (page.stderr().isBlank()) {
        break;
      }
      String hint = page.stderr().strip();
      assertThat(hint)
          .startsWith("older events: keyroom audit list --action user --limit 2 --before ");
      args = new ArrayList<>(List.of(hint.substring(hint.indexOf("audit")).split(" ")));
    }
    assertThat(seen).isEqualTo(expected);

    String newest = expected.get(0);
    String oldest = expected.get(expected.size() - 1);
    List<CliProcess.Result> r =
        together(
            () -> CliProcess.run(admin, null, "audit", "list", "--after", oldest, "--json"),
            () -> CliProcess.run(admin, null, "audit", "list", "--before", "1", "--after", "2"),
            () -> CliProcess.run(admin, null, "audit", "list", "--actor", "system:none", "--json"),
            () -> CliProcess.run(admin, null, "audit", "list", "--before", "zero"));
    JsonNode newer = Json.MAPPER.readTree(ok(r.get(0)).stdout());
    assertThat(newer.get("events").findValuesAsText("seq")).contains(newest).doesNotContain(oldest);
    assertThat(r.get(1).exitCode()).isEqualTo(Main.USAGE);
    assertThat(r.get(1).stderr()).contains("--before and --after: give one of them, not both");
    assertThat(Json.MAPPER.readTree(ok(r.get(2)).stdout()).get("events")).isEmpty();
    assertThat(r.get(3).exitCode()).isEqualTo(Main.USAGE);
    assertThat(r.get(3).stderr()).contains("--before");
  }
}
