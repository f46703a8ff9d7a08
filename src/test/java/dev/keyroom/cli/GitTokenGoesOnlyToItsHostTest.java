package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real git CLI under {@code keyroom run}, with two git servers that both answer 401 and would
 * both accept the token: the server the token is bound to gets it and the clone works; the second
 * server (a hostile remote or submodule) never sees the token, git gets no credential from {@code
 * keyroom git-credential}, and Keyroom audits the refusal with the host.
 */
class GitTokenGoesOnlyToItsHostTest {
  static final String TOKEN = "test-git-token-canaryGitToken_bound_host_0001";

  @TempDir Path dir;

  @Test
  void gitGetsTheTokenForItsBoundHost_andNothingForAnotherHost() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of(GitHttpServer.BACKEND)), "git http-backend is not installed");
    Path repos = Files.createDirectories(dir.resolve("repos"));
    Path home = Files.createDirectories(dir.resolve("home"));
    Path work = Files.createDirectories(dir.resolve("work"));
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_AUTHOR_NAME", "t");
    env.put("GIT_AUTHOR_EMAIL", "t@example.test");
    env.put("GIT_COMMITTER_NAME", "t");
    env.put("GIT_COMMITTER_EMAIL", "t@example.test");
    env.put("PATH", GitThroughLauncherTest.shim(dir.resolve("bin")) + ":" + System.getenv("PATH"));
    GitThroughLauncherTest.sh(
        repos,
        env,
        "git init -q --bare -b main project.git"
            + " && git init -q -b main seed && cd seed && echo hello > README && git add README && git commit -qm seed"
            + " && git push -q ../project.git main");

    try (TestKeyroom k = TestKeyroom.sqlite(dir.resolve("keyroom"));
        GitHttpServer bound = new GitHttpServer(repos, TOKEN);
        GitHttpServer other = new GitHttpServer(repos, TOKEN)) {
      LauncherFixture f = new LauncherFixture(k);
      f.integration("git-token", "work", TOKEN, List.of(bound.hostAndPort()));
      String workroom = f.workroom("{\"name\":\"Code\",\"tools\":[{\"kind\":\"git-token\"}]}");
      String[] session = f.session(workroom);

      LauncherFixture.Running r =
          f.launch(
              session,
              List.of(
                  "sh",
                  "-c",
                  "cd "
                      + work
                      + " && git clone -q "
                      + bound.url("project.git")
                      + " mine && echo first-ok"
                      + " ; git clone -q "
                      + other.url("project.git")
                      + " theirs ; echo second=$?"),
              false,
              Duration.ofSeconds(2),
              env);
      assertThat(r.exit().get(120, TimeUnit.SECONDS)).as(r.stderr()).isZero();
      assertThat(r.stdout()).contains("first-ok").contains("second=").doesNotContain("second=0");
      assertThat(bound.passwordsSeen).contains(TOKEN);
      assertThat(other.statuses).contains(401);
      assertThat(other.passwordsSeen).doesNotContain(TOKEN);
      assertThat(work.resolve("theirs/README")).doesNotExist();

      JsonNode audit =
          LauncherFixture.json(k.get("/api/v1/audit?action=session.git-credential", f.admin));
      assertThat(audit.toString())
          .contains(other.hostAndPort())
          .contains("denied")
          .doesNotContain(TOKEN);
    }
  }
}
