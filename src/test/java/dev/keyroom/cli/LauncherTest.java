package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyroom.error.ForbiddenException;
import dev.keyroom.testing.TestKeyroom;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {
  static final String HOOK = "hook-canary-Zx9/Q+w@e r=t";
  static final String SHORT = "tiny1";
  static final Duration GRACE = Duration.ofMillis(500);

  @TempDir Path dir;
  TestKeyroom k;
  LauncherFixture f;
  String workroom;
  String hookId;

  @BeforeEach
  void setUp() {
    k = TestKeyroom.sqlite(dir);
    f = new LauncherFixture(k);
    String openai = f.secret("openai", "prod", "test-openai-key-canary-openai-real-000001");
    hookId = f.secret("env", "DEPLOY_HOOK", HOOK);
    String shortId = f.secret("env", "SHORT_PIN", SHORT);
    workroom =
        f.workroom(
            "{\"name\":\"W\",\"tools\":[{\"kind\":\"openai\",\"secretId\":\""
                + openai
                + "\"},"
                + "{\"kind\":\"env\",\"secretId\":\""
                + hookId
                + "\"},{\"kind\":\"env\",\"secretId\":\""
                + shortId
                + "\"}]}");
  }

  @AfterEach
  void tearDown() {
    k.close();
  }

  @Test
  void childPrintingItsSecretShowsOnlyTheMask() throws Exception {
    String b64 = Base64.getEncoder().encodeToString(HOOK.getBytes(StandardCharsets.UTF_8));
    String url = URLEncoder.encode(HOOK, StandardCharsets.UTF_8);
    LauncherFixture.Running r =
        f.launch(
            f.session(workroom),
            List.of(
                "sh",
                "-c",
                "echo \"plain: $DEPLOY_HOOK\"; printf '%s' \"$DEPLOY_HOOK\" | base64; echo \"inline $(printf 'KEY=%s' \"$DEPLOY_HOOK\" | base64)\";"
                    + " echo \"url: $ENCODED\"; echo \"key: $OPENAI_API_KEY\" >&2; echo \"pin: $SHORT_PIN\"; exit 3"),
            false,
            GRACE,
            Map.of("ENCODED", url));
    assertThat(r.exit().get(30, TimeUnit.SECONDS)).isEqualTo(3);
    String out = r.stdout();
    assertThat(out)
        .contains("plain: [masked]")
        .contains("url: [masked]")
        .contains("pin: " + SHORT)
        .doesNotContain(HOOK)
        .doesNotContain(b64.substring(0, 20))
        .doesNotContain(url);
    assertThat(out.lines().filter(l -> l.startsWith("inline")))
        .singleElement()
        .asString()
        .contains("[masked]");
    assertThat(r.stderr())
        .contains("key: [masked]")
        .doesNotContain("kr_ph_openai_")
        .contains("not masking SHORT_PIN");
  }

  @Test
  void aPromptThatMayBeTheStartOfAValueIsForwardedOnceTheChildIsQuiet() throws Exception {
    String[] session = f.session(workroom);
    LauncherFixture.Running r =
        f.launch(
            session,
            List.of("sh", "-c", "printf 'Paste the hook'; sleep 305"),
            false,
            GRACE,
            Map.of());
    long deadline = System.currentTimeMillis() + 10_000;
    while (!r.stdout().equals("Paste the hook") && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(r.stdout())
        .as(
            "a prompt ending in the first characters of a value, after %d ms quiet",
            MaskedOutput.QUIET.toMillis())
        .isEqualTo("Paste the hook");
    assertThat(r.exit()).isNotDone();
    assertThat(k.send("DELETE", "/api/v1/sessions/" + session[0], f.service, null).statusCode())
        .isEqualTo(204);
    assertThat(r.exit().get(10, TimeUnit.SECONDS)).isEqualTo(Main.SESSION_ENDED);
  }

  @Test
  void aValueWrittenInPiecesWithShortPausesIsStillMasked() throws Exception {
    LauncherFixture.Running r =
        f.launch(
            f.session(workroom),
            List.of(
                "sh",
                "-c",
                "printf 'a: hook-can'; sleep 0.05; printf 'ary-Zx9/Q+'; sleep 0.05; printf 'w@e r=t :b\\n'"),
            false,
            GRACE,
            Map.of());
    assertThat(r.exit().get(30, TimeUnit.SECONDS)).isZero();
    assertThat(r.stdout()).isEqualTo("a: [masked] :b\n");
  }

  @Test
  void revokeDuringRun_childProcessGroupIsGoneWithinOneSecond_andPlaceholdersAreRefused()
      throws Exception {
    String[] session = f.session(workroom);
    String placeholder =
        LauncherFixture.json(k.get("/api/v1/sessions/" + session[0] + "/environment", f.service))
            .get("variables")
            .findValues("value")
            .stream()
            .map(v -> v.asText())
            .filter(v -> v.startsWith("kr_ph_openai_"))
            .findFirst()
            .orElseThrow();
    LauncherFixture.Running r =
        f.launch(
            session, List.of("sh", "-c", "sleep 300 & sleep 301 & wait"), false, GRACE, Map.of());
    List<ProcessHandle> family = awaitFamily("sleep 301");
    long before = System.nanoTime();
    var res = k.post("/api/v1/secrets/" + hookId + "/revoke", f.admin, null);
    long returned = System.nanoTime();
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).contains("\"affectedSessions\":{\"count\":1").contains(session[0]);
    while (family.stream().anyMatch(Launcher::running)
        && System.nanoTime() - returned < 5_000_000_000L) {
      Thread.sleep(5);
    }
    long goneMs = (System.nanoTime() - returned) / 1_000_000;
    System.out.println(
        "revocation bound: revoke call "
            + (returned - before) / 1_000_000
            + " ms; response to child group gone "
            + goneMs
            + " ms");
    assertThat(family).noneMatch(Launcher::running);
    assertThat(goneMs)
        .as(
            "ms from revoke response to child process group gone (revoke call took %d ms)",
            (returned - before) / 1_000_000)
        .isLessThan(1000);
    assertThat(r.exit().get(10, TimeUnit.SECONDS)).isEqualTo(Main.CREDENTIAL_REVOKED);
    assertThatThrownBy(() -> k.keyroom.sessions().authenticatePlaceholder("openai", placeholder))
        .isInstanceOf(ForbiddenException.class);
    var proxied =
        k.http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(k.url() + "/proxy/openai/v1/models"))
                .header("Authorization", "Bearer " + placeholder)
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(proxied.statusCode()).as(proxied.body()).isEqualTo(403);
  }

  @Test
  void sessionEnd_killsAChildThatIgnoresTerm_afterTheGracePeriod() throws Exception {
    String[] session = f.session(workroom);
    LauncherFixture.Running r =
        f.launch(
            session,
            List.of("sh", "-c", "trap '' TERM; sleep 302 & wait; sleep 303"),
            false,
            GRACE,
            Map.of());
    List<ProcessHandle> family = awaitFamily("sleep 302");
    assertThat(k.send("DELETE", "/api/v1/sessions/" + session[0], f.service, null).statusCode())
        .isEqualTo(204);
    assertThat(r.exit().get(10, TimeUnit.SECONDS)).isEqualTo(Main.SESSION_ENDED);
    Thread.sleep(GRACE.toMillis());
    assertThat(family).noneMatch(Launcher::running);
    assertThat(r.stderr()).contains("the session ended");
  }

  @Test
  void restartPolicy_rotationRestartsTheCommandWithTheNewValue() throws Exception {
    assertThat(
            k.send("PUT", "/api/v1/session-policy", f.admin, "{\"onRevoke\":\"restart\"}")
                .statusCode())
        .isEqualTo(200);
    String[] session = f.session(workroom);
    LauncherFixture.Running r =
        f.launch(
            session,
            List.of("sh", "-c", "echo \"run $(printf %s \"$DEPLOY_HOOK\" | wc -c)\"; sleep 304"),
            false,
            GRACE,
            Map.of());
    awaitFamily("sleep 304");
    var res =
        k.send(
            "PUT",
            "/api/v1/secrets/" + hookId + "/value",
            f.admin,
            "{\"value\":\"rotated-hook-value-longer-0001\"}");
    assertThat(res.body()).contains("restart-requested");
    long deadline = System.currentTimeMillis() + 15_000;
    while (r.stdout().lines().filter(l -> l.startsWith("run ")).count() < 2
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(r.stdout().lines().filter(l -> l.startsWith("run ")))
        .containsExactly("run 25", "run 30");
    assertThat(r.stderr()).contains("restarting the command");
    assertThat(k.send("DELETE", "/api/v1/sessions/" + session[0], f.service, null).statusCode())
        .isEqualTo(204);
    assertThat(r.exit().get(10, TimeUnit.SECONDS)).isEqualTo(Main.SESSION_ENDED);
  }

  @Test
  void childExitingFirstEndsNothing_unlessAsked() throws Exception {
    String[] kept = f.session(workroom);
    assertThat(
            f.launch(kept, List.of("true"), false, GRACE, Map.of())
                .exit()
                .get(30, TimeUnit.SECONDS))
        .isZero();
    assertThat(k.get("/api/v1/sessions/" + kept[0] + "/environment", kept[1]).statusCode())
        .isEqualTo(200);
    String[] ended = f.session(workroom);
    assertThat(
            f.launch(ended, List.of("true"), true, GRACE, Map.of())
                .exit()
                .get(30, TimeUnit.SECONDS))
        .isZero();
    assertThat(k.get("/api/v1/sessions/" + ended[0] + "/environment", ended[1]).statusCode())
        .isEqualTo(403);
  }

  @Test
  void anEndedSessionRunsNothing() throws Exception {
    String[] session = f.session(workroom);
    k.send("DELETE", "/api/v1/sessions/" + session[0], f.service, null);
    Path marker = dir.resolve("ran");
    LauncherFixture.Running r =
        f.launch(session, List.of("touch", marker.toString()), false, GRACE, Map.of());
    assertThatThrownBy(() -> r.exit().get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(SessionClient.Refused.class);
    assertThat(marker).doesNotExist();
  }

  /** Waits until a descendant of this JVM runs {@code marker}; returns it and its whole family. */
  static List<ProcessHandle> awaitFamily(String marker) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<ProcessHandle> hit =
          ProcessHandle.current()
              .descendants()
              .filter(
                  p ->
                      p.info().command().orElse("").endsWith("/sleep")
                          && p.info().commandLine().orElse("").contains(marker))
              .findFirst();
      if (hit.isPresent()) {
        ProcessHandle leader = hit.get().parent().orElseThrow();
        List<ProcessHandle> family = new java.util.ArrayList<>(leader.descendants().toList());
        family.add(leader);
        return family;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the child never started " + marker);
  }
}
