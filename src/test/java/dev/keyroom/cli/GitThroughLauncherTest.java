package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real git CLI, run by {@code keyroom run}, clones from and pushes to a git server over HTTP
 * that requires the user's token; git asks {@code keyroom git-credential} (a real subprocess on the
 * test class path) and stores the token nowhere. After the session ends, a push is refused.
 */
class GitThroughLauncherTest {
  static final String TOKEN = "test-git-token-canaryGitToken_through_launcher_01";

  @TempDir Path dir;

  @Test
  void gitClonesAndPushesWithTheSessionToken_storesNothing_andIsRefusedAfterTheSessionEnds()
      throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of(GitHttpServer.BACKEND)), "git http-backend is not installed");
    Path repos = Files.createDirectories(dir.resolve("repos"));
    Path home = Files.createDirectories(dir.resolve("home"));
    Path work = Files.createDirectories(dir.resolve("work"));
    Map<String, String> baseEnv = new HashMap<>();
    baseEnv.put("HOME", home.toString());
    baseEnv.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    baseEnv.put("GIT_CONFIG_NOSYSTEM", "1");
    baseEnv.put("GIT_AUTHOR_NAME", "t");
    baseEnv.put("GIT_AUTHOR_EMAIL", "t@example.test");
    baseEnv.put("GIT_COMMITTER_NAME", "t");
    baseEnv.put("GIT_COMMITTER_EMAIL", "t@example.test");
    baseEnv.put("PATH", shim(dir.resolve("bin")) + ":" + System.getenv("PATH"));
    sh(
        repos,
        baseEnv,
        "git init -q --bare -b main project.git && git -C project.git config http.receivepack true"
            + " && git init -q -b main seed && cd seed && echo hello > README && git add README && git commit -qm seed"
            + " && git push -q ../project.git main");

    try (TestKeyroom k = TestKeyroom.sqlite(dir.resolve("keyroom"));
        GitHttpServer git = new GitHttpServer(repos, TOKEN)) {
      LauncherFixture f = new LauncherFixture(k);
      f.integration("git-token", "github", TOKEN, List.of(git.hostAndPort()));
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
                      + git.url("project.git")
                      + " clone && cd clone && echo change >> README && git commit -qam change && git push -q origin main"
                      + " && echo pushed"),
              false,
              Duration.ofSeconds(2),
              baseEnv);
      assertThat(r.exit().get(120, TimeUnit.SECONDS)).as(r.stderr()).isZero();
      assertThat(r.stdout()).contains("pushed");
      assertThat(git.passwordsSeen).contains(TOKEN);
      assertThat(sh(repos, baseEnv, "git -C project.git log --format=%s main")).contains("change");
      assertThat(filesContaining(dir, TOKEN)).isEmpty();
      assertThat(home.resolve(".git-credentials")).doesNotExist();

      // a process that outlived its session still has the session's variables, but git gets nothing
      Map<String, String> stale = new HashMap<>(baseEnv);
      stale.put("KEYROOM_URL", k.url());
      stale.put("KEYROOM_SESSION_ID", session[0]);
      stale.put("KEYROOM_SESSION_TOKEN", session[1]);
      stale.put("GIT_CONFIG_COUNT", "2");
      stale.put("GIT_CONFIG_KEY_0", "credential.helper");
      stale.put("GIT_CONFIG_VALUE_0", "");
      stale.put("GIT_CONFIG_KEY_1", "credential.helper");
      stale.put("GIT_CONFIG_VALUE_1", "!keyroom git-credential");
      stale.put("GIT_TERMINAL_PROMPT", "0");
      assertThat(k.send("DELETE", "/api/v1/sessions/" + session[0], f.service, null).statusCode())
          .isEqualTo(204);
      int deniedBefore = (int) git.statuses.stream().filter(s -> s == 401).count();
      Process refused =
          run(
              work.resolve("clone"),
              stale,
              "echo again >> README && git commit -qam again && git push -q origin main");
      String output = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(refused.waitFor()).as(output).isNotZero();
      assertThat(output).contains("session").doesNotContain(TOKEN);
      assertThat(git.statuses.stream().filter(s -> s == 401).count()).isGreaterThan(deniedBefore);
      assertThat(sh(repos, baseEnv, "git -C project.git log --format=%s main"))
          .doesNotContain("again");
      assertThat(filesContaining(dir, TOKEN)).isEmpty();
    }
  }

  /** A {@code keyroom} command on PATH that runs this build's CLI in a new JVM. */
  static Path shim(Path bin) throws IOException {
    Files.createDirectories(bin);
    Path shim = bin.resolve("keyroom");
    String java = ProcessHandle.current().info().command().orElse("java");
    Files.writeString(
        shim,
        "#!/bin/sh\nexec '"
            + java
            + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '"
            + System.getProperty("java.class.path")
            + "' dev.keyroom.cli.Main \"$@\"\n");
    Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  static Process run(Path cwd, Map<String, String> env, String script) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder("sh", "-c", script).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("KEYROOM_") || k.startsWith("GIT_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  static String sh(Path cwd, Map<String, String> env, String script)
      throws IOException, InterruptedException {
    Process p = run(cwd, env, script);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new AssertionError("failed: " + script + "\n" + out);
    }
    return out;
  }

  static List<Path> filesContaining(Path root, String needle) throws IOException {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .filter(
              p -> {
                try {
                  return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)
                      .contains(new String(n, StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                  return false;
                }
              })
          .toList();
    }
  }
}
