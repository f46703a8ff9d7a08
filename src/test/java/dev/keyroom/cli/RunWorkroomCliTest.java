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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyroom run --workroom NAME -- cmd…} as the logged-in user, as a real child process. */
class RunWorkroomCliTest {
  @TempDir Path dir;
  TestKeyroom k;
  Tenancy.Founded acme;
  String admin;
  String aliceToken;
  Map<String, String> env;
  String hook;
  String revoked;

  @BeforeEach
  void start() throws Exception {
    k = TestKeyroom.sqlite(dir);
    acme = k.tenant("acme");
    admin = acme.adminToken().token();
    User alice = k.keyroom.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    aliceToken =
        k.keyroom.tokens().issueForUser(acme.tenant().id(), alice.id(), "cli", "test").token();
    hook = secret("env", "DEPLOY_HOOK", "hook-value-0123456789");
    String pw = secret("database-password", "orders-pw", "db-password-0123456789");
    revoked = secret("env", "OLD_HOOK", "old-value-0123456789");
    String research =
        workroom(
            "{\"name\":\"research\",\"tools\":[{\"kind\":\"env\",\"secretId\":\""
                + hook
                + "\"},"
                + "{\"kind\":\"env\",\"secretId\":\""
                + revoked
                + "\"},{\"kind\":\"git-token\"}],\"network\":{\"endpoints\":[{\"name\":\"orders\","
                + "\"host\":\"127.0.0.1\",\"port\":5432,\"protocol\":\"postgres\",\"passwordSecretId\":\""
                + pw
                + "\",\"user\":\"app\",\"database\":\"orders\"}]}}");
    workroom("{\"name\":\"archive\",\"tools\":[]}");
    ok(k.post("/api/v1/workrooms/" + research + "/members", admin, "{\"name\":\"alice\"}"));
    ok(k.post("/api/v1/secrets/" + revoked + "/revoke", admin, "{}"));
    Path config = dir.resolve("cfg").resolve("config.json");
    env = Map.of("KEYROOM_CONFIG", config.toString());
    CliProcess.Result login =
        CliProcess.run(env, (aliceToken + "\n").getBytes(StandardCharsets.UTF_8), "login", k.url());
    assertThat(login.exitCode()).as(login.stderr()).isZero();
  }

  @AfterEach
  void stop() {
    k.close();
  }

  String secret(String kind, String name, String value) throws Exception {
    return ok(k.post(
            "/api/v1/secrets",
            admin,
            Json.MAPPER.writeValueAsString(Map.of("kind", kind, "name", name, "value", value))))
        .get("id")
        .asText();
  }

  String workroom(String body) throws Exception {
    return ok(k.post("/api/v1/workrooms", admin, body)).get("id").asText();
  }

  static JsonNode ok(java.net.http.HttpResponse<String> res) throws Exception {
    assertThat(res.statusCode() / 100).as(res.body()).isEqualTo(2);
    return res.body().isEmpty() ? null : Json.MAPPER.readTree(res.body());
  }

  @Test
  void theCommandSeesItsEnvironment_theSessionEndsWhenItExits_andSkippedCredentialsAreReported()
      throws Exception {
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    String script =
        "printf %s \"$DEPLOY_HOOK\" > '"
            + out.resolve("hook")
            + "'; printf %s \"$PGPASSWORD\" > '"
            + out.resolve("pg")
            + "'; printf %s \"$KEYROOM_SESSION_ID\" > '"
            + out.resolve("sid")
            + "'; "
            + "printf %s \"${KEYROOM_TOKEN-unset}\" > '"
            + out.resolve("api-token")
            + "'; "
            + "echo \"the hook is $DEPLOY_HOOK\"; exit 3";
    // the person's API token (here from the environment) is not the session's: the command never
    // gets it
    Map<String, String> withToken = new java.util.HashMap<>(env);
    withToken.put("KEYROOM_TOKEN", aliceToken);
    CliProcess.Result r =
        CliProcess.run(withToken, null, "run", "--workroom", "research", "--", "sh", "-c", script);
    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(3);
    assertThat(Files.readString(out.resolve("hook"))).isEqualTo("hook-value-0123456789");
    assertThat(Files.readString(out.resolve("pg"))).isEqualTo("db-password-0123456789");
    assertThat(Files.readString(out.resolve("api-token"))).isEqualTo("unset");
    assertThat(r.stdout()).contains("the hook is").doesNotContain("hook-value-0123456789");
    // an env secret's variable is its name, which a revoked secret no longer gives: its tool is
    // named instead
    assertThat(r.stderr())
        .containsPattern("keyroom: skipped tools\\[1\\]: credential cred_\\w+ is revoked")
        .contains("keyroom: skipped GIT_TOKEN (tools[2]): the session's user has no active")
        .doesNotContain(aliceToken);

    String sessionId = Files.readString(out.resolve("sid"));
    assertThat(sessionId).startsWith("ses_");
    JsonNode session = ok(k.get("/api/v1/sessions/" + sessionId, admin));
    assertThat(session.get("endedAt").isNull()).as(session.toString()).isFalse();
    assertThat(session.get("startedBy").asText()).isEqualTo("self");
  }

  @Test
  void anUnknownWorkroom_isAClearError_listingTheOnesYouCanSee() {
    CliProcess.Result r = CliProcess.run(env, null, "run", "--workroom", "nope", "--", "true");
    assertThat(r.exitCode()).isEqualTo(Main.FAILED);
    assertThat(r.stderr())
        .contains("no workroom named 'nope'")
        .contains("research")
        .doesNotContain("archive");
  }

  private int endedSessions(String workroomId) {
    return k.keyroom
        .db()
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT COUNT(*) FROM sessions WHERE workroom_id = :w AND ended_at IS NOT NULL")
                    .bind("w", workroomId)
                    .mapTo(Integer.class)
                    .one());
  }

  @Test
  void theSessionEnds_whenTheCommandCannotStart() throws Exception {
    int endedBefore = endedSessions(workroomId("research"));
    CliProcess.Result r =
        CliProcess.run(
            env, null, "run", "--workroom", "research", "--", dir.resolve("missing").toString());
    assertThat(r.exitCode()).isNotZero();
    // a session was started for the run, and it was ended, not left live
    assertThat(endedSessions(workroomId("research"))).isEqualTo(endedBefore + 1);
    JsonNode sessions =
        ok(k.get("/api/v1/workrooms/" + workroomId("research") + "/sessions", admin));
    assertThat(sessions.get("sessions")).as(sessions.toString()).isEmpty();
  }

  @Test
  void theSessionEnds_andTheCommandStops_whenKeyroomRunIsTerminated() throws Exception {
    // process-group containment: the command does not die with the launcher by itself, so this
    // shows the launcher stops it before the JVM exits
    Path sid = dir.resolve("sid");
    Path pid = dir.resolve("pid");
    Path err = dir.resolve("stderr");
    Process run =
        CliProcess.start(
            env,
            err,
            "run",
            "--workroom",
            "research",
            "--containment",
            "process-group",
            "--grace",
            "1s",
            "--",
            "sh",
            "-c",
            "printf %s $$ > '"
                + pid
                + "'; printf %s \"$KEYROOM_SESSION_ID\" > '"
                + sid
                + ".tmp' && mv '"
                + sid
                + ".tmp' '"
                + sid
                + "'; sleep 60");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(sid) && run.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20); // polling for the child's file, bounded by the deadline
      }
      assertThat(sid)
          .as("the command started (stderr: %s)", Files.exists(err) ? Files.readString(err) : "")
          .exists();
      String sessionId = Files.readString(sid);
      ProcessHandle child = ProcessHandle.of(Long.parseLong(Files.readString(pid))).orElseThrow();
      assertThat(ok(k.get("/api/v1/sessions/" + sessionId, admin)).get("endedAt").isNull())
          .isTrue();

      run.destroy(); // SIGTERM
      assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
      JsonNode session = ok(k.get("/api/v1/sessions/" + sessionId, admin));
      assertThat(session.get("endedAt").isNull()).as(session.toString()).isFalse();
      long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (Launcher.running(child) && System.nanoTime() < gone) {
        Thread.sleep(20);
      }
      assertThat(Launcher.running(child)).as("the command outlived keyroom run").isFalse();
    } finally {
      run.destroyForcibly();
      if (Files.exists(pid)) {
        ProcessHandle.of(Long.parseLong(Files.readString(pid)))
            .ifPresent(
                h -> {
                  h.descendants().forEach(ProcessHandle::destroyForcibly);
                  h.destroyForcibly();
                });
      }
    }
  }

  String workroomId(String name) throws Exception {
    for (JsonNode w : ok(k.get("/api/v1/workrooms", admin)).get("workrooms")) {
      if (w.get("name").asText().equals(name)) {
        return w.get("id").asText();
      }
    }
    throw new AssertionError("no workroom " + name);
  }
}
