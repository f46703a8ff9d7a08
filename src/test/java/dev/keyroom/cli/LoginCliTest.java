package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.TestKeyroom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyroom login|whoami|logout} as real child processes against a running Keyroom; the
 * configuration file lives in a temporary directory (KEYROOM_CONFIG), never in the real home.
 */
class LoginCliTest {
  @TempDir Path dir;
  TestKeyroom k;
  Tenancy.Founded acme;
  String adminToken;
  String aliceToken;
  Path config;

  @BeforeEach
  void start() {
    k = TestKeyroom.sqlite(dir);
    acme = k.tenant("acme");
    adminToken = acme.adminToken().token();
    User alice = k.keyroom.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    aliceToken =
        k.keyroom.tokens().issueForUser(acme.tenant().id(), alice.id(), "cli", "test").token();
    config = dir.resolve("home").resolve("keyroom").resolve("config.json");
  }

  @AfterEach
  void stop() {
    k.close();
  }

  Map<String, String> env(String... pairs) {
    Map<String, String> m = new HashMap<>();
    m.put("KEYROOM_CONFIG", config.toString());
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  static byte[] stdin(String s) {
    return (s + "\n").getBytes(StandardCharsets.UTF_8);
  }

  static void assertNoToken(CliProcess.Result r, String... tokens) {
    for (String t : tokens) {
      assertThat(r.stdout()).doesNotContain(t);
      assertThat(r.stderr()).doesNotContain(t);
    }
  }

  @Test
  void login_withAPipedToken_savesIt0600_andSaysWhoYouAre() throws Exception {
    CliProcess.Result login = CliProcess.run(env(), stdin(aliceToken), "login", k.url());
    assertThat(login.exitCode()).as(login.stderr()).isZero();
    assertThat(login.stdout())
        .contains("alice")
        .contains("member")
        .contains(acme.tenant().id().value());
    assertNoToken(login, aliceToken);

    assertThat(Files.getPosixFilePermissions(config))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(config.getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    JsonNode saved = Json.MAPPER.readTree(config.toFile());
    assertThat(saved.at("/profiles/default/url").asText()).isEqualTo(k.url());
    assertThat(saved.at("/profiles/default/token").asText()).isEqualTo(aliceToken);

    CliProcess.Result whoami = CliProcess.run(env(), null, "whoami");
    assertThat(whoami.exitCode()).as(whoami.stderr()).isZero();
    assertThat(whoami.stdout()).contains("alice").contains("member").contains(k.url());
    assertNoToken(whoami, aliceToken);

    CliProcess.Result json = CliProcess.run(env(), null, "whoami", "--json");
    assertThat(json.exitCode()).as(json.stderr()).isZero();
    JsonNode me = Json.MAPPER.readTree(json.stdout());
    assertThat(me.get("user").asText()).isEqualTo("alice");
    assertThat(me.get("role").asText()).isEqualTo("member");
    assertThat(me.get("tenantId").asText()).isEqualTo(acme.tenant().id().value());
    assertThat(me.get("url").asText()).isEqualTo(k.url());
    assertThat(me.get("profile").asText()).isEqualTo("default");
    assertNoToken(json, aliceToken);

    // the stored token serves other commands too (here: an admin-only list is refused for a member,
    // by the server)
    CliProcess.Result secrets = CliProcess.run(env(), null, "secrets", "list");
    assertThat(secrets.exitCode()).isEqualTo(Main.FAILED);
    assertThat(secrets.stderr())
        .contains("managing tenant skill secrets requires the admin role")
        .contains("403");

    CliProcess.Result logout = CliProcess.run(env(), null, "logout");
    assertThat(logout.exitCode()).as(logout.stderr()).isZero();
    assertThat(Files.readString(config)).doesNotContain(aliceToken);
    CliProcess.Result after = CliProcess.run(env(), null, "whoami");
    assertThat(after.exitCode()).isEqualTo(Main.USAGE);
    assertThat(after.stderr()).contains("not logged in").contains("keyroom login");
  }

  @Test
  void aWrongToken_isRefused_andNothingIsSaved() {
    String wrong = "kr_u_" + "x".repeat(43);
    CliProcess.Result login = CliProcess.run(env(), stdin(wrong), "login", k.url());
    assertThat(login.exitCode()).isEqualTo(Main.FAILED);
    assertThat(login.stderr()).contains("401").contains("nothing saved");
    assertNoToken(login, wrong);
    assertThat(config).doesNotExist();

    CliProcess.Result empty = CliProcess.run(env(), new byte[0], "login", k.url());
    assertThat(empty.exitCode()).isEqualTo(Main.USAGE);
    assertThat(empty.stderr()).contains("no token given: pipe the API token on stdin");
    assertThat(config).doesNotExist();

    CliProcess.Result unreachable =
        CliProcess.run(env(), stdin(aliceToken), "login", "http://127.0.0.1:9");
    assertThat(unreachable.exitCode()).isEqualTo(Main.UNREACHABLE);
    assertNoToken(unreachable, aliceToken);
    assertThat(config).doesNotExist();
  }

  @Test
  void profiles_switchServersAndUsers_andTheEnvironmentOverridesThem() throws Exception {
    assertThat(CliProcess.run(env(), stdin(aliceToken), "login", k.url()).exitCode()).isZero();
    CliProcess.Result second =
        CliProcess.run(env(), stdin(adminToken), "login", "--profile", "ops", k.url());
    assertThat(second.exitCode()).as(second.stderr()).isZero();
    assertThat(second.stdout()).contains("admin").contains("ops");

    assertThat(CliProcess.run(env(), null, "whoami").stdout())
        .contains("alice")
        .doesNotContain("admin");
    assertThat(CliProcess.run(env(), null, "whoami", "--profile", "ops").stdout())
        .contains("admin");
    assertThat(CliProcess.run(env("KEYROOM_PROFILE", "ops"), null, "whoami").stdout())
        .contains("admin");
    CliProcess.Result unknown = CliProcess.run(env(), null, "whoami", "--profile", "nope");
    assertThat(unknown.exitCode()).isEqualTo(Main.FAILED);
    assertThat(unknown.stderr()).contains("profile 'nope'").contains("default").contains("ops");

    // KEYROOM_TOKEN wins over the stored token; KEYROOM_URL over the stored URL
    assertThat(CliProcess.run(env("KEYROOM_TOKEN", adminToken), null, "whoami").stdout())
        .contains("admin")
        .contains("token from KEYROOM_TOKEN");
    CliProcess.Result elsewhere =
        CliProcess.run(
            env("KEYROOM_URL", "http://127.0.0.1:9", "KEYROOM_TOKEN", aliceToken), null, "whoami");
    assertThat(elsewhere.exitCode()).isEqualTo(Main.UNREACHABLE);
    assertThat(elsewhere.stderr()).contains("http://127.0.0.1:9");

    // the admin's token (secrets are admin-only) through the ops profile
    CliProcess.Result secrets = CliProcess.run(env(), null, "secrets", "list", "--profile", "ops");
    assertThat(secrets.exitCode()).as(secrets.stderr()).isZero();

    assertThat(CliProcess.run(env(), null, "logout", "--profile", "ops").exitCode()).isZero();
    assertThat(Files.readString(config)).doesNotContain(adminToken).contains(aliceToken);
    assertThat(CliProcess.run(env(), null, "whoami").stdout()).contains("alice");
  }

  @Test
  void withNoUrlConfigured_theDefaultIsKeyroomPort() {
    String port = k.url().substring(k.url().lastIndexOf(':') + 1);
    CliProcess.Result secrets =
        CliProcess.run(
            env("KEYROOM_PORT", port, "KEYROOM_TOKEN", adminToken), null, "secrets", "list");
    assertThat(secrets.exitCode()).as(secrets.stderr()).isZero();
    assertThat(secrets.stdout()).contains("FINGERPRINT");

    CliProcess.Result whoami =
        CliProcess.run(env("KEYROOM_PORT", port, "KEYROOM_TOKEN", aliceToken), null, "whoami");
    assertThat(whoami.exitCode()).as(whoami.stderr()).isZero();
    assertThat(whoami.stdout()).contains("alice").contains("http://127.0.0.1:" + port);

    CliProcess.Result login =
        CliProcess.run(
            env("KEYROOM_PORT", port, "KEYROOM_BIND", "0.0.0.0"), stdin(aliceToken), "login");
    assertThat(login.exitCode()).as(login.stderr()).isZero();
    assertThat(login.stdout()).contains("http://127.0.0.1:" + port);
  }
}
