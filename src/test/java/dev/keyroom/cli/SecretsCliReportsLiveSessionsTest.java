package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.TestKeyroom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyroom secrets set} (replacing a value) and {@code revoke} print what the change did to
 * the live sessions holding the secret, as the API reports it ({@code affectedSessions}).
 */
class SecretsCliReportsLiveSessionsTest {
  @TempDir Path dir;

  @Test
  void setAndRevokeSayWhatTheyDidToLiveSessions() {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      LauncherFixture f = new LauncherFixture(k);
      String id = f.secret("env", "DEPLOY_HOOK", "first-value-0000000001");
      String wr =
          f.workroom("{\"name\":\"E\",\"tools\":[{\"kind\":\"env\",\"secretId\":\"" + id + "\"}]}");
      String[] session = f.session(wr);
      assertThat(k.get("/api/v1/sessions/" + session[0] + "/environment", session[1]).statusCode())
          .isEqualTo(200);
      Map<String, String> admin = Map.of("KEYROOM_TOKEN", f.admin, "KEYROOM_URL", k.url());

      assertThat(
              k.send("PUT", "/api/v1/session-policy", f.admin, "{\"onRevoke\":\"restart\"}")
                  .statusCode())
          .isEqualTo(200);
      CliProcess.Result set =
          CliProcess.run(
              admin,
              "second-value-000000002\n".getBytes(StandardCharsets.UTF_8),
              "secrets",
              "set",
              "--kind",
              "env",
              "--name",
              "DEPLOY_HOOK");
      assertThat(set.exitCode()).as(set.stderr()).isZero();
      assertThat(set.stdout())
          .contains("replaced " + id)
          .contains("1 live session asked to restart");

      assertThat(
              k.send("PUT", "/api/v1/session-policy", f.admin, "{\"onRevoke\":\"end\"}")
                  .statusCode())
          .isEqualTo(200);
      assertThat(k.get("/api/v1/sessions/" + session[0] + "/environment", session[1]).statusCode())
          .isEqualTo(200);
      CliProcess.Result revoke = CliProcess.run(admin, null, "secrets", "revoke", id);
      assertThat(revoke.exitCode()).as(revoke.stderr()).isZero();
      assertThat(revoke.stdout())
          .contains("status revoked")
          .contains("1 live session ended")
          .contains(session[0]);

      CliProcess.Result again = CliProcess.run(admin, null, "secrets", "revoke", id);
      assertThat(again.stdout()).contains("no live session held it");
    }
  }
}
