package dev.keyroom.leak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.tenancy.ApiTokens;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.LogCapture;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Canary values go in through every route that accepts a value (and through the CLI); then the
 * logs, every response, the store's bytes, the audit rows, /metrics and exception messages are
 * scanned: no canary anywhere, and no API token in the logs or the store.
 */
abstract class LeakSuite {
  @TempDir Path dir;

  final List<String> canaries = new ArrayList<>();
  final List<String> tokens = new ArrayList<>();
  final StringBuilder responses = new StringBuilder();
  final StringBuilder exceptions = new StringBuilder();
  TestKeyroom k;

  abstract TestKeyroom start(Path dir);

  /** Everything the store holds, as text (and bytes where the store is a file). */
  abstract String storeDump();

  String canary() {
    String c = "canary-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    canaries.add(c);
    return c;
  }

  HttpResponse<String> send(String method, String path, String token, Object body) {
    try {
      HttpResponse<String> res =
          k.send(method, path, token, body == null ? null : Json.MAPPER.writeValueAsString(body));
      responses
          .append(method)
          .append(' ')
          .append(path)
          .append(' ')
          .append(res.statusCode())
          .append(' ')
          .append(res.headers().map())
          .append(' ')
          .append(res.body())
          .append('\n');
      return res;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode ok(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    if (res.body().startsWith("#")) {
      return null; // the Prometheus text format
    }
    try {
      return Json.MAPPER.readTree(res.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> cred(String kind, String name, String value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("name", name);
    m.put("value", value);
    return m;
  }

  void recordException(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    exceptions.append(e).append('\n').append(w).append('\n');
  }

  @Test
  void noCanaryOrTokenAnywhere() throws Exception {
    Logger keyroomLogger = (Logger) LoggerFactory.getLogger("dev.keyroom");
    Level before = keyroomLogger.getLevel();
    keyroomLogger.setLevel(Level.DEBUG);
    try (LogCapture logs = LogCapture.begin()) {
      k = start(dir);
      try {
        exercise();
        scan(logs);
      } finally {
        k.close();
      }
    } finally {
      keyroomLogger.setLevel(before);
    }
  }

  private void exercise() throws Exception {
    Tenancy.Founded acme = k.tenant("acme");
    String admin = acme.adminToken().token();
    tokens.add(admin);
    User alice = k.keyroom.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    ApiTokens.Issued aliceIssued =
        k.keyroom.tokens().issueForUser(acme.tenant().id(), alice.id(), "t", "test");
    String aliceToken = aliceIssued.token();
    tokens.add(aliceToken);
    // The operator mints the platform's service token (keyroom admin create-service-token).
    String serviceToken =
        k.keyroom.tokens().issueService(acme.tenant().id(), "platform", "system:cli").token();
    tokens.add(serviceToken);
    JsonNode mine = ok(send("POST", "/api/v1/me/tokens", admin, Map.of("name", "laptop")), 201);
    tokens.add(mine.get("token").asText());
    ok(send("GET", "/api/v1/me", serviceToken, null), 200);
    ok(send("GET", "/api/v1/me", mine.get("token").asText(), null), 200);

    // every value-accepting route, success paths
    String gemini = canary();
    String secretId =
        ok(send("POST", "/api/v1/secrets", admin, cred("gemini", "prod", gemini)), 201)
            .get("id")
            .asText();
    String replaced = canary();
    ok(
        send("PUT", "/api/v1/secrets/" + secretId + "/value", admin, Map.of("value", replaced)),
        200);
    String multiLine = canary() + "\n" + canary();
    ok(send("POST", "/api/v1/secrets", admin, cred("env", "MULTI_LINE", multiLine)), 201);
    String git = canary();
    String integrationId =
        ok(
                send(
                    "POST",
                    "/api/v1/me/integrations",
                    aliceToken,
                    cred("git-token", "github", git)),
                201)
            .get("id")
            .asText();
    String gitReplaced = canary();
    ok(
        send(
            "PUT",
            "/api/v1/me/integrations/" + integrationId + "/value",
            aliceToken,
            Map.of("value", gitReplaced)),
        200);
    ok(
        send(
            "POST",
            "/api/v1/me/integrations",
            aliceToken,
            cred("personal-env", "MY_KEY", canary())),
        201);
    ok(send("POST", "/api/v1/secrets", admin, cred("database-password", "db", canary())), 201);
    ok(send("POST", "/api/v1/secrets", admin, cred("tailscale-auth-key", "ts", canary())), 201);

    // the CLI, value on stdin and from a file
    Map<String, String> env = Map.of("KEYROOM_TOKEN", admin, "KEYROOM_URL", k.url());
    String viaStdin = canary();
    CliProcess.Result set =
        CliProcess.run(
            env,
            (viaStdin + "\n").getBytes(StandardCharsets.UTF_8),
            "secrets",
            "set",
            "--kind",
            "openai",
            "--name",
            "cli");
    assertThat(set.exitCode()).as(set.stderr()).isZero();
    Path file = dir.resolve("value.txt");
    String viaFile = canary();
    Files.writeString(file, viaFile);
    CliProcess.Result replace =
        CliProcess.run(
            env,
            null,
            "secrets",
            "set",
            "--kind",
            "openai",
            "--name",
            "cli",
            "--value-file",
            file.toString());
    assertThat(replace.exitCode()).as(replace.stderr()).isZero();
    Files.delete(file);
    CliProcess.Result list = CliProcess.run(env, null, "secrets", "list");
    assertThat(list.exitCode()).as(list.stderr()).isZero();
    for (CliProcess.Result r : List.of(set, replace, list)) {
      responses.append(r.stdout()).append(r.stderr());
    }

    // rejected paths that carry a value
    ok(send("POST", "/api/v1/secrets", admin, cred("gemini", "prod", canary())), 409);
    ok(send("POST", "/api/v1/secrets", admin, cred("git-token", "wrong-home", canary())), 400);
    ok(
        send("POST", "/api/v1/me/integrations", aliceToken, cred("gemini", "wrong-home", canary())),
        400);
    ok(send("POST", "/api/v1/secrets", admin, cred("nope", "x", canary())), 400);
    ok(
        send(
            "POST", "/api/v1/secrets", admin, cred("gemini", "big", canary() + "x".repeat(70_000))),
        413);
    ok(send("POST", "/api/v1/secrets", admin, cred("gemini", "nul", canary() + "\u0000")), 400);
    Map<String, Object> extra = cred("gemini", "extra", canary());
    extra.put("comment", canary());
    ok(send("POST", "/api/v1/secrets", admin, extra), 400);
    ok(
        send(
            "POST",
            "/api/v1/secrets",
            admin,
            Map.of("kind", "gemini", "name", "typed", "value", List.of(canary()))),
        400);
    ok(
        send(
            "PUT",
            "/api/v1/secrets/cred_aaaaaaaaaaaaaaaaaaaaaaaaaa/value",
            admin,
            Map.of("value", canary())),
        404);
    ok(
        send(
            "PUT", "/api/v1/secrets/" + secretId + "/value", aliceToken, Map.of("value", canary())),
        403);
    ok(send("PUT", "/api/v1/secrets/" + secretId + "/value", null, Map.of("value", canary())), 401);
    HttpResponse<String> malformed =
        k.post(
            "/api/v1/secrets",
            admin,
            "{\"kind\":\"gemini\",\"name\":\"m\",\"value\":\"" + canary());
    responses.append(malformed.body());
    assertThat(malformed.statusCode()).isEqualTo(400);
    HttpResponse<String> badEscape =
        k.post("/api/v1/secrets", admin, "{\"value\":\"" + canary() + "\\q\"}");
    responses.append(badEscape.body());
    assertThat(badEscape.statusCode()).isEqualTo(400);
    // a value in a URL query: the access log must not keep it
    String inQuery = canary();
    HttpResponse<String> query =
        k.get("/api/v1/secrets?key=" + URLEncoder.encode(inQuery, StandardCharsets.UTF_8), admin);
    responses.append(query.body());
    // a wrong bearer token that is a value
    String asToken = canary();
    HttpResponse<String> wrongToken = k.get("/api/v1/me", asToken);
    responses.append(wrongToken.body());
    ok(send("POST", "/api/v1/secrets/" + secretId + "/revoke", admin, null), 200);
    ok(
        send("PUT", "/api/v1/secrets/" + secretId + "/value", admin, Map.of("value", canary())),
        409);

    // the values are really stored (and only the latest is current)
    CredentialScope secrets = CredentialScope.tenantSecrets(acme.tenant().id());
    CredentialScope alices = CredentialScope.integrationsOf(acme.tenant().id(), alice.id());
    assertThat(
            k.keyroom
                .vault()
                .resolve(alices, new CredentialId(integrationId), null)
                .value()
                .revealUtf8())
        .isEqualTo(gitReplaced);
    String cliId =
        k.keyroom.vault().list(secrets).stream()
            .filter(c -> c.name().equals("cli"))
            .findFirst()
            .orElseThrow()
            .id();
    assertThat(
            k.keyroom.vault().resolve(secrets, new CredentialId(cliId), null).value().revealUtf8())
        .isEqualTo(viaFile);

    // service-level failures: their messages and stack traces
    for (Runnable failing :
        List.<Runnable>of(
            () ->
                k.keyroom
                    .vault()
                    .create(secrets, "gemini", "prod", SecretValue.ofUtf8(canary()), "test"),
            () ->
                k.keyroom
                    .vault()
                    .create(
                        secrets,
                        "gemini",
                        "huge",
                        SecretValue.ofUtf8(canary() + "y".repeat(70_000)),
                        "test"),
            () ->
                k.keyroom
                    .vault()
                    .create(secrets, "git-token", "home", SecretValue.ofUtf8(canary()), "test"),
            () ->
                k.keyroom
                    .vault()
                    .replace(
                        secrets, new CredentialId(secretId), SecretValue.ofUtf8(canary()), "test"),
            () ->
                k.keyroom
                    .db()
                    .jdbi()
                    .useHandle(
                        h ->
                            h.createQuery("SELECT no_such_column FROM credentials WHERE id = :v")
                                .bind("v", canary())
                                .mapToMap()
                                .list()))) {
      assertThatThrownBy(failing::run).satisfies(this::recordException);
    }
    // Jdbi renders no bound argument into its exceptions. (PostgreSQL's own server log does print
    // a failing row, so this bound value is no canary: only the exception text is checked.)
    String bound = "bound-" + UUID.randomUUID();
    assertThatThrownBy(
            () ->
                k.keyroom
                    .db()
                    .jdbi()
                    .useHandle(
                        h ->
                            h.createUpdate(
                                    "INSERT INTO credentials (id, tenant_id) VALUES (:id, :t)")
                                .bind("id", bound)
                                .bind("t", bound)
                                .execute()))
        .satisfies(
            e -> {
              StringWriter w = new StringWriter();
              e.printStackTrace(new PrintWriter(w));
              assertThat(w.toString()).doesNotContain(bound);
            });

    // read everything back through the API: audit, lists, metrics, health, catalog
    for (String path :
        List.of(
            "/api/v1/audit?limit=1000",
            "/api/v1/audit/verify",
            "/api/v1/secrets",
            "/api/v1/me/tokens",
            "/api/v1/service-tokens",
            "/api/v1/users",
            "/api/v1/secrets/" + secretId,
            "/metrics",
            "/health")) {
      ok(send("GET", path, admin, null), 200);
    }
    ok(send("GET", "/api/v1/me/integrations", aliceToken, null), 200);
    ok(send("GET", "/api/v1/me/integrations/" + integrationId, aliceToken, null), 200);
  }

  private void scan(LogCapture logs) {
    String log = logs.all();
    String store = storeDump();
    String audit =
        k.keyroom
            .db()
            .jdbi()
            .withHandle(h -> h.createQuery("SELECT * FROM audit_events").mapToMap().list())
            .toString();
    String metrics = k.keyroom.metrics().scrape();
    assertThat(log).as("the logs were captured").contains("keyroom.access");
    assertThat(canaries).hasSizeGreaterThan(25);
    Map<String, String> places = new LinkedHashMap<>();
    places.put("logs", log);
    places.put("responses", responses.toString());
    places.put("store", store);
    places.put("audit rows", audit);
    places.put("metrics", metrics);
    places.put("exceptions", exceptions.toString());
    for (String c : canaries) {
      List<String> forms =
          List.of(
              c,
              URLEncoder.encode(c, StandardCharsets.UTF_8),
              Base64.getEncoder().encodeToString(c.getBytes(StandardCharsets.UTF_8)),
              c.substring(7));
      places.forEach(
          (where, text) -> {
            for (String form : forms) {
              assertThat(text).as("canary in %s", where).doesNotContain(form);
            }
          });
    }
    for (String t : tokens) {
      assertThat(log).as("token in logs").doesNotContain(t).doesNotContain(t.substring(5));
      assertThat(store).as("token in store").doesNotContain(t).doesNotContain(t.substring(5));
      assertThat(audit).as("token in audit").doesNotContain(t.substring(5));
      assertThat(metrics).doesNotContain(t.substring(5));
    }
  }
}
