package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets are addressable by name, KIND/NAME or id in every {@code keyroom secrets} subcommand and
 * in the workroom flags; the same name in two kinds is fine, and a bare name that several kinds use
 * is refused (exit 2) naming the kinds. Real child processes against a running Keyroom whose Gemini
 * upstream is a fake on port 0; no value ever shows in what the commands print or the logs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretNamesCliTest {
  static final String GEMINI_KEY = "canary-names-gemini-KEY-0123456789abcdef";
  static final String BAD_KEY = "canary-names-refused-KEY-0123456789abcdef";
  static final String DB_PASSWORD = "canary-names-db-PASSWORD-0123456789";
  static final String REPLACED = "canary-names-replaced-KEY-0123456789abcdef";

  Path dir;
  FakeUpstream upstream;
  LogCapture logs;
  TestKeyroom k;
  Tenancy.Founded acme;
  Map<String, String> admin;
  String geminiProd;
  String dbProd;
  final List<CliProcess.Result> outputs = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  void start(@TempDir Path tmp) {
    dir = tmp;
    logs = LogCapture.begin();
    upstream =
        new FakeUpstream()
            .on(
                "/v1beta/models",
                (ex, seen) ->
                    FakeUpstream.json(
                        ex,
                        BAD_KEY.equals(seen.header("x-goog-api-key")) ? 401 : 200,
                        "{\"models\":[]}"));
    k =
        TestKeyroom.start(
            TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
                .withUpstream("gemini", upstream.url()),
            UnaryOperator.identity());
    acme = k.tenant("acme");
    admin = Map.of("KEYROOM_TOKEN", acme.adminToken().token(), "KEYROOM_URL", k.url());
    geminiProd =
        ok(run(GEMINI_KEY, "secrets", "set", "--kind", "gemini", "--name", "prod", "--json"))
            .get("id")
            .asText();
    dbProd =
        ok(run(
                DB_PASSWORD,
                "secrets",
                "set",
                "--kind",
                "database-password",
                "--name",
                "prod",
                "--json"))
            .get("id")
            .asText();
    ok(run(BAD_KEY, "secrets", "set", "--kind", "gemini", "--name", "refused", "--json"));
  }

  @AfterAll
  void stop() {
    try {
      String everything =
          logs.all()
              + outputs.stream().map(r -> r.stdout() + r.stderr()).reduce("", String::concat);
      for (String canary : List.of(GEMINI_KEY, BAD_KEY, DB_PASSWORD, REPLACED)) {
        assertThat(everything).as("command output and logs").doesNotContain(canary);
      }
      assertThat(everything).contains("prod"); // the scan saw the outputs
    } finally {
      k.close();
      upstream.close();
      logs.close();
    }
  }

  private CliProcess.Result run(String stdin, String... args) {
    CliProcess.Result r =
        CliProcess.run(admin, stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8), args);
    outputs.add(r);
    return r;
  }

  private static JsonNode ok(CliProcess.Result r) {
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    try {
      return r.stdout().startsWith("{") ? Json.MAPPER.readTree(r.stdout()) : null;
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.stdout(), e);
    }
  }

  private static void fails(CliProcess.Result r, int exitCode, String... parts) {
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(exitCode);
    assertThat(r.stderr()).contains(parts);
  }

  @Test
  void theSameNameInTwoKinds_isAddressedByKindSlashName_byKindFlag_orById() {
    assertThat(geminiProd).isNotEqualTo(dbProd);
    assertThat(ok(run(null, "secrets", "show", "gemini/prod", "--json")).get("id").asText())
        .isEqualTo(geminiProd);
    assertThat(
            ok(run(null, "secrets", "show", "prod", "--kind", "database-password", "--json"))
                .get("id")
                .asText())
        .isEqualTo(dbProd);
    assertThat(ok(run(null, "secrets", "show", dbProd, "--json")).get("kind").asText())
        .isEqualTo("database-password");
    CliProcess.Result shown = run(null, "secrets", "show", "gemini/prod");
    ok(shown);
    assertThat(shown.stdout())
        .contains("gemini/prod (" + geminiProd + ")")
        .contains("versions:")
        .contains("…cdef");
    assertThat(ok(run(null, "secrets", "show", "refused", "--json")).get("kind").asText())
        .isEqualTo("gemini");

    CliProcess.Result list = run(null, "secrets", "list");
    ok(list);
    assertThat(list.stdout())
        .contains("KIND")
        .contains("FINGERPRINT")
        .contains(geminiProd)
        .contains(dbProd);
    JsonNode onlyGemini = ok(run(null, "secrets", "list", "--kind", "gemini", "--json"));
    assertThat(onlyGemini.get("credentials").findValuesAsText("kind")).containsOnly("gemini");
  }

  @Test
  void aBareNameThatSeveralKindsUse_isRefusedNamingTheKinds_andChangesNothing() {
    List<CliProcess.Result> r =
        new java.util.ArrayList<>(
            CliProcess.together(
                () -> run(null, "secrets", "show", "prod"),
                () -> run(null, "secrets", "revoke", "prod"),
                () -> run(null, "secrets", "delete", "prod"),
                () -> run(null, "secrets", "test", "prod")));
    r.addAll(
        CliProcess.together(
            () -> run(REPLACED, "secrets", "set", "prod"),
            () -> run(null, "secrets", "show", "gemini/prod", "--kind", "openai"),
            () -> run(null, "secrets", "show", geminiProd, "--kind", "openai"),
            () -> run(null, "secrets", "show", "nope")));
    r.addAll(
        CliProcess.together(
            () -> run(null, "secrets", "show", "openai/prod"),
            () -> run(null, "secrets", "show", "cred_" + "a".repeat(26))));
    for (int i = 0; i < 5; i++) {
      fails(
          r.get(i),
          Main.USAGE,
          "NAME: 2 secrets are named 'prod', of kinds",
          "gemini",
          "database-password",
          "--kind KIND or KIND/NAME");
    }
    fails(
        r.get(5),
        Main.USAGE,
        "'gemini/prod' names kind 'gemini', but kind 'openai' is asked for here");
    fails(r.get(6), Main.USAGE, "is of kind 'gemini'");
    fails(r.get(7), Main.FAILED, "NAME: no secret named 'nope' (see keyroom secrets list)");
    fails(r.get(8), Main.FAILED, "no secret of kind 'openai' named 'prod'");
    fails(r.get(9), Main.FAILED, "no credential with that id", "404");
    CredentialScope scope = CredentialScope.tenantSecrets(acme.tenant().id());
    assertThat(k.keyroom.vault().get(scope, new CredentialId(geminiProd)).status())
        .isEqualTo("active");
    assertThat(k.keyroom.vault().get(scope, new CredentialId(dbProd)).version()).isEqualTo(1);
  }

  @Test
  void aDuplicateInTheSameKind_isA409NamingKindAndName() {
    HttpResponse<String> again =
        k.post(
            "/api/v1/secrets",
            acme.adminToken().token(),
            "{\"kind\":\"gemini\",\"name\":\"prod\",\"value\":\"" + BAD_KEY + "\"}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body())
        .contains("kind 'gemini'")
        .contains("named 'prod'")
        .contains("unique per kind")
        .doesNotContain(BAD_KEY);
  }

  @Test
  void test_callsTheProviderWithTheNamedKey_andExitsOneWhenItIsRefused() {
    int before = upstream.seen().size();
    CliProcess.Result works = run(null, "secrets", "test", "gemini/prod");
    ok(works);
    assertThat(works.stdout()).contains(geminiProd).contains("Key works");
    assertThat(upstream.seen().subList(before, upstream.seen().size()))
        .anySatisfy(s -> assertThat(s.header("x-goog-api-key")).isEqualTo(GEMINI_KEY));
    CliProcess.Result refused = run(null, "secrets", "test", "refused", "--json");
    assertThat(refused.exitCode()).isEqualTo(Main.FAILED);
    assertThat(refused.stdout()).contains("\"outcome\" : \"refused\"").contains("\"status\" : 401");
    CliProcess.Result noTestCall = run(null, "secrets", "test", "database-password/prod");
    assertThat(noTestCall.exitCode()).isEqualTo(Main.FAILED);
    assertThat(noTestCall.stdout()).contains("has no test call");
    JsonNode audit =
        Json.MAPPER.valueToTree(
            k.keyroom
                .audit()
                .query(
                    acme.tenant().id(),
                    new dev.keyroom.audit.AuditLog.Filter(
                        null, "secret.test", null, null, null, null, null, null, 100)));
    assertThat(audit.toString()).contains(geminiProd).contains("refused");
  }

  @Test
  void setRevokeAndDelete_takeNamesToo() {
    String id =
        ok(run(GEMINI_KEY, "secrets", "set", "--kind", "gemini", "--name", "rotating", "--json"))
            .get("id")
            .asText();
    CliProcess.Result replaced = run(REPLACED + "\n", "secrets", "set", "gemini/rotating");
    ok(replaced);
    assertThat(replaced.stdout())
        .contains("replaced " + id + " (gemini/rotating, version 2")
        .contains("no live session held it");
    CredentialScope scope = CredentialScope.tenantSecrets(acme.tenant().id());
    assertThat(k.keyroom.vault().resolve(scope, new CredentialId(id), null).value().revealUtf8())
        .isEqualTo(REPLACED);
    fails(run(REPLACED, "secrets", "set", "rotating", "--name", "other"), Main.USAGE, "not both");
    fails(
        run(REPLACED, "secrets", "set", "--name", "other"),
        Main.USAGE,
        "set needs --kind and --name");

    CliProcess.Result revoked = run(null, "secrets", "revoke", "rotating", "--version", "1");
    ok(revoked);
    assertThat(revoked.stdout())
        .contains("gemini/rotating (" + id + "): status active (version 1 revoked)");
    assertThat(run(null, "secrets", "revoke", "rotating", "--kind", "gemini").stdout())
        .contains("status revoked");
    CliProcess.Result deleted = run(null, "secrets", "delete", "gemini/rotating");
    ok(deleted);
    assertThat(deleted.stdout()).contains("gemini/rotating (" + id + "): deleted");
    assertThat(k.keyroom.vault().list(scope)).extracting(c -> c.id()).doesNotContain(id);
  }

  @Test
  void aListLongerThanOnePage_isListedWhole_searchedByTheServer_andFoundByName() {
    Tenancy.Founded many = k.tenant("many");
    CredentialScope scope = CredentialScope.tenantSecrets(many.tenant().id());
    for (int i = 0; i < 205; i++) {
      k.keyroom
          .vault()
          .create(
              scope,
              "env",
              String.format("BULK_%03d", i),
              SecretValue.ofUtf8("bulk-value-" + i),
              "test");
    }
    Map<String, String> env =
        Map.of("KEYROOM_TOKEN", many.adminToken().token(), "KEYROOM_URL", k.url());
    List<CliProcess.Result> r =
        CliProcess.together(
            () -> CliProcess.run(env, null, "secrets", "list", "--json"),
            () -> CliProcess.run(env, null, "secrets", "show", "BULK_204", "--json"),
            () -> CliProcess.run(env, null, "secrets", "list", "-q", "bulk_20", "--json"),
            () -> CliProcess.run(env, null, "secrets", "list", "--kind", "env", "--search", "199"),
            () -> CliProcess.run(env, null, "secrets", "list", "--kind", "no-such-kind"));
    outputs.addAll(r);
    assertThat(ok(r.get(0)).get("credentials").findValuesAsText("name"))
        .as("every page, in order")
        .hasSize(205)
        .startsWith("BULK_000")
        .endsWith("BULK_204")
        .doesNotHaveDuplicates();
    assertThat(ok(r.get(1)).get("name").asText()).isEqualTo("BULK_204");
    assertThat(ok(r.get(2)).get("credentials").findValuesAsText("name"))
        .as("'_' is a character, not a wildcard")
        .containsExactly("BULK_200", "BULK_201", "BULK_202", "BULK_203", "BULK_204");
    ok(r.get(3));
    assertThat(r.get(3).stdout()).contains("BULK_199").doesNotContain("BULK_198");
    fails(r.get(4), Main.FAILED, "kind: unknown credential kind", "(HTTP 400)");
  }

  @Test
  void workroomFlagsUseTheSameResolver() {
    JsonNode w = ok(run(null, "workrooms", "create", "names", "--tool", "gemini=prod", "--json"));
    assertThat(w.get("tools").get(0).get("secretId").asText()).isEqualTo(geminiProd);
    JsonNode w2 =
        ok(run(null, "workrooms", "create", "names-2", "--tool", "gemini=gemini/prod", "--json"));
    assertThat(w2.get("tools").get(0).get("secretId").asText()).isEqualTo(geminiProd);
    fails(
        run(null, "workrooms", "create", "names-3", "--tool", "gemini=database-password/prod"),
        Main.USAGE,
        "--tool gemini=database-password/prod: 'database-password/prod' names kind 'database-password', but kind 'gemini' is asked for here");
    fails(
        run(null, "workrooms", "create", "names-4", "--tool", "gemini=" + dbProd),
        Main.USAGE,
        "is of kind 'database-password', but kind 'gemini' is asked for here");
    CliProcess.Result shown = run(null, "workrooms", "show", "names");
    ok(shown);
    assertThat(shown.stdout()).contains("gemini").contains("prod");
  }

  @Test
  void everyNewSubcommandHasHelp() {
    List<String> subs = List.of("show", "test", "set", "revoke", "delete", "list");
    for (List<String> three : List.of(subs.subList(0, 3), subs.subList(3, 6))) {
      List<CliProcess.Result> r =
          CliProcess.together(
              () -> run(null, "secrets", three.get(0), "--help"),
              () -> run(null, "secrets", three.get(1), "--help"),
              () -> run(null, "secrets", three.get(2), "--help"));
      for (int i = 0; i < 3; i++) {
        assertThat(r.get(i).exitCode()).as(three.get(i) + ": " + r.get(i).stderr()).isZero();
        assertThat(r.get(i).stdout())
            .as(three.get(i))
            .startsWith("Usage: keyroom secrets " + three.get(i));
        if (three.get(i).equals("show")) {
          assertThat(r.get(i).stdout()).contains("KIND/NAME").contains("--kind");
        }
      }
    }
  }
}
