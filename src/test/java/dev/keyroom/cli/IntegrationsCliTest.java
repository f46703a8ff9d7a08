package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.app.Config;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyroom integrations …} as a member, real child processes against a running Keyroom whose
 * git API is a fake on port 0: add from stdin or a file, list, show, test, set, revoke and delete —
 * by name, KIND/NAME or id; the same name in two kinds; what an admin cannot see. No value ever
 * shows in output, arguments or logs. (Connecting an OAuth login end to end: {@code
 * dev.keyroom.oauth.IntegrationsConnectCliTest}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntegrationsCliTest {
  static final String GOOD = "test-git-token-canaryGoodToken0123456789abcdefABCDEF";
  static final String BAD = "test-git-token-canaryRefusedToken0123456789abcdefABC";
  static final String ENV_VALUE = "canary-personal-env-value-0123456789";
  static final String NEW_GOOD = "test-git-token-canaryNewToken0123456789abcdefABCDEFG";

  Path dir;
  FakeUpstream gitApi;
  LogCapture logs;
  TestKeyroom k;
  Tenancy.Founded acme;
  User alice;
  Map<String, String> aliceEnv;
  Map<String, String> adminEnv;
  final List<CliProcess.Result> outputs = new java.util.concurrent.CopyOnWriteArrayList<>();
  final List<List<String>> argvs = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  void start(@TempDir Path tmp) {
    dir = tmp;
    logs = LogCapture.begin();
    gitApi =
        new FakeUpstream()
            .on(
                "/user",
                (ex, seen) -> {
                  boolean good =
                      ("Bearer " + GOOD).equals(seen.header("authorization"))
                          || ("Bearer " + NEW_GOOD).equals(seen.header("authorization"));
                  FakeUpstream.json(
                      ex,
                      good ? 200 : 401,
                      good ? "{\"login\":\"ann-gh\"}" : "{\"message\":\"Bad credentials\"}");
                });
    k =
        TestKeyroom.start(
            TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)),
            c -> c.with(Config.Setting.GIT_API_URL, gitApi.url()));
    acme = k.tenant("acme");
    alice = k.keyroom.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    aliceEnv =
        Map.of(
            "KEYROOM_TOKEN",
            k.keyroom.tokens().issueForUser(acme.tenant().id(), alice.id(), "cli", "test").token(),
            "KEYROOM_URL",
            k.url());
    adminEnv = Map.of("KEYROOM_TOKEN", acme.adminToken().token(), "KEYROOM_URL", k.url());
  }

  @AfterAll
  void stop() {
    try {
      String everything =
          logs.all()
              + outputs.stream().map(r -> r.stdout() + r.stderr()).reduce("", String::concat);
      for (String canary : List.of(GOOD, BAD, ENV_VALUE, NEW_GOOD)) {
        assertThat(everything).as("command output and logs").doesNotContain(canary);
        assertThat(argvs)
            .as("command lines")
            .noneSatisfy(a -> assertThat(String.join(" ", a)).contains(canary));
      }
      assertThat(everything).contains("git-token"); // the scan saw the outputs
    } finally {
      k.close();
      gitApi.close();
      logs.close();
    }
  }

  private CliProcess.Result as(Map<String, String> env, String stdin, String... args) {
    argvs.add(List.of(args));
    CliProcess.Result r =
        CliProcess.run(env, stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8), args);
    outputs.add(r);
    return r;
  }

  private CliProcess.Result alice(String stdin, String... args) {
    return as(aliceEnv, stdin, args);
  }

  private static CliProcess.Result ok(CliProcess.Result r) {
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    return r;
  }

  private static JsonNode json(CliProcess.Result r) {
    try {
      return Json.MAPPER.readTree(ok(r).stdout());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.stdout(), e);
    }
  }

  private static void fails(CliProcess.Result r, int exitCode, String... parts) {
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(exitCode);
    assertThat(r.stderr()).contains(parts);
  }

  @Test
  void addListShowTestSetRevokeDelete_byNameKindSlashNameAndId() throws IOException {
    Path file = dir.resolve("env-value");
    Files.writeString(file, ENV_VALUE + "\n");
    List<CliProcess.Result> added =
        CliProcess.together(
            () ->
                alice(
                    GOOD + "\n", "integrations", "add", "--kind", "git-token", "--name", "github"),
            () ->
                alice(
                    BAD,
                    "integrations",
                    "add",
                    "--kind",
                    "git-token",
                    "--name",
                    "DEPLOY",
                    "--host",
                    "git.example.com"),
            () ->
                alice(
                    null,
                    "integrations",
                    "add",
                    "--kind",
                    "personal-env",
                    "--name",
                    "DEPLOY",
                    "--value-file",
                    file.toString()));
    assertThat(ok(added.get(0)).stdout())
        .contains("added cred_")
        .contains("(git-token/github, version 1")
        .contains("hosts github.com");
    assertThat(ok(added.get(1)).stdout())
        .contains("git-token/DEPLOY")
        .contains("hosts git.example.com");
    assertThat(ok(added.get(2)).stdout()).contains("personal-env/DEPLOY");
    CredentialScope mine = CredentialScope.integrationsOf(acme.tenant().id(), alice.id());
    String github =
        k.keyroom.vault().list(mine).stream()
            .filter(c -> c.name().equals("github"))
            .findFirst()
            .orElseThrow()
            .id();
    String gitDeploy =
        k.keyroom.vault().list(mine).stream()
            .filter(c -> c.name().equals("DEPLOY") && c.kind().equals("git-token"))
            .findFirst()
            .orElseThrow()
            .id();
    assertThat(k.keyroom.vault().resolve(mine, new CredentialId(github), null).value().revealUtf8())
        .isEqualTo(GOOD);

    List<CliProcess.Result> r =
        CliProcess.together(
            () -> alice(GOOD, "integrations", "add", "--kind", "git-token", "--name", "github"),
            () -> alice(null, "integrations", "list"),
            () -> alice(null, "integrations", "list", "--kind", "personal-env", "--json"),
            () -> alice(null, "integrations", "show", "github"));
    fails(
        r.get(0),
        Main.FAILED,
        "a credential of kind 'git-token' named 'github' already exists in Profile → Integrations",
        "409");
    assertThat(ok(r.get(1)).stdout())
        .contains("KIND")
        .contains("HOSTS")
        .contains(github)
        .contains("github.com")
        .contains("git.example.com")
        .contains("personal-env");
    assertThat(json(r.get(2)).get("credentials").findValuesAsText("name"))
        .containsExactly("DEPLOY");
    assertThat(ok(r.get(3)).stdout())
        .contains("git-token/github (" + github + ")")
        .contains("hosts:       github.com")
        .contains("versions:");

    List<CliProcess.Result> tests =
        CliProcess.together(
            () -> alice(null, "integrations", "test", "github"),
            () -> alice(null, "integrations", "test", "DEPLOY"),
            () -> alice(null, "integrations", "test", "git-token/DEPLOY"),
            () -> alice(null, "integrations", "test", "DEPLOY", "--kind", "personal-env"));
    assertThat(ok(tests.get(0)).stdout())
        .contains("git-token/github (" + github + "): the token works (account ann-gh)");
    assertThat(gitApi.seen())
        .anySatisfy(s -> assertThat(s.header("authorization")).isEqualTo("Bearer " + GOOD));
    fails(
        tests.get(1),
        Main.USAGE,
        "NAME: 2 integrations are named 'DEPLOY', of kinds git-token, personal-env",
        "say which with --kind KIND or KIND/NAME (e.g. git-token/DEPLOY)");
    assertThat(tests.get(2).exitCode()).isEqualTo(Main.FAILED);
    assertThat(tests.get(2).stdout())
        .contains("git-token/DEPLOY")
        .contains("refused the token (401)");
    fails(
        tests.get(3),
        Main.FAILED,
        "a test call is available for git-token integrations and OAuth logins",
        "400");

    List<CliProcess.Result> others =
        CliProcess.together(
            () -> alice(null, "integrations", "test", gitDeploy, "--json"),
            () -> as(adminEnv, null, "integrations", "show", "github"),
            () -> as(adminEnv, null, "integrations", "show", github),
            () -> as(adminEnv, null, "integrations", "list", "--json"));
    assertThat(others.get(0).exitCode()).isEqualTo(Main.FAILED);
    assertThat(others.get(0).stdout()).contains("\"ok\" : false").contains("\"status\" : 401");
    fails(
        others.get(1),
        Main.FAILED,
        "NAME: no integration named 'github' (see keyroom integrations list)");
    fails(others.get(2), Main.FAILED, "no credential with that id", "404");
    assertThat(json(others.get(3)).get("credentials")).isEmpty();

    CliProcess.Result set = ok(alice(NEW_GOOD, "integrations", "set", "github"));
    assertThat(set.stdout())
        .contains("replaced " + github + " (git-token/github, version 2")
        .contains("no live session held it");
    assertThat(k.keyroom.vault().resolve(mine, new CredentialId(github), null).value().revealUtf8())
        .isEqualTo(NEW_GOOD);

    List<CliProcess.Result> ends =
        CliProcess.together(
            () -> alice(null, "integrations", "revoke", "DEPLOY", "--kind", "git-token"),
            () -> alice(null, "integrations", "delete", "personal-env/DEPLOY"),
            () -> alice(null, "integrations", "revoke", "github", "--version", "1"),
            () -> alice(null, "integrations", "delete", "nope"));
    assertThat(ok(ends.get(0)).stdout())
        .contains("git-token/DEPLOY (" + gitDeploy + "): status revoked");
    assertThat(ok(ends.get(1)).stdout()).contains("personal-env/DEPLOY").contains("deleted");
    assertThat(ok(ends.get(2)).stdout()).contains("status active (version 1 revoked)");
    fails(ends.get(3), Main.FAILED, "no integration named 'nope'");
    assertThat(k.keyroom.vault().get(mine, new CredentialId(gitDeploy)).status())
        .isEqualTo("revoked");
    assertThat(k.keyroom.vault().list(mine)).noneMatch(c -> c.kind().equals("personal-env"));

    ok(alice(null, "integrations", "delete", gitDeploy));
    assertThat(k.keyroom.vault().list(mine)).extracting(c -> c.id()).containsExactly(github);
  }

  @Test
  void valuesNeverComeFromTheCommandLine_andEverySubcommandHasHelp() {
    List<String> subs =
        List.of("list", "show", "add", "set", "test", "revoke", "delete", "connect");
    for (List<String> four : List.of(subs.subList(0, 4), subs.subList(4, 8))) {
      List<CliProcess.Result> r =
          CliProcess.together(
              () -> alice(null, "integrations", four.get(0), "--help"),
                  () -> alice(null, "integrations", four.get(1), "--help"),
              () -> alice(null, "integrations", four.get(2), "--help"),
                  () -> alice(null, "integrations", four.get(3), "--help"));
      for (int i = 0; i < 4; i++) {
        assertThat(r.get(i).exitCode()).as(four.get(i) + ": " + r.get(i).stderr()).isZero();
        assertThat(r.get(i).stdout())
            .as(four.get(i))
            .startsWith("Usage: keyroom integrations " + four.get(i));
      }
    }
    List<CliProcess.Result> refused =
        CliProcess.together(
            () ->
                alice(
                    null,
                    "integrations",
                    "add",
                    "--kind",
                    "git-token",
                    "--name",
                    "x",
                    "--token=argv-value-0789"),
            () ->
                alice(
                    new String(new byte[0]),
                    "integrations",
                    "add",
                    "--kind",
                    "git-token",
                    "--name",
                    "x"),
            () -> alice(null, "integrations", "connect", "github"),
            () -> alice(null, "integrations", "connect", "nope"));
    fails(
        refused.get(0),
        Main.USAGE,
        "unknown option --token",
        "values are read from stdin or --value-file");
    assertThat(refused.get(0).stderr()).doesNotContain("argv-value-0789");
    fails(refused.get(1), Main.USAGE, "no value given");
    fails(
        refused.get(2),
        Main.FAILED,
        "'github' is not set up on this Keyroom",
        "KEYROOM_OAUTH_GITHUB_CLIENT_ID");
    fails(refused.get(3), Main.FAILED, "no sign-in provider 'nope'", "github", "generic");
    fails(alice(null, "integrations"), Main.USAGE, "integrations needs a subcommand");
  }
}
