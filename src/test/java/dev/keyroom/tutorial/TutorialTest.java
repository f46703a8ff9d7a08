package dev.keyroom.tutorial;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.cli.GitHttpServer;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.testing.LauncherCheckout;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/tutorial.md, run as written (see {@link Tutorial} for the markers): every {@code sh} block
 * in one bash, in order, in a copy of the checkout whose {@code ./keyroom} runs this build; the
 * server is {@code keyroom serve} in the background, Gemini a local fake that requires the real key
 * in its header, the git host a local {@code git http-backend} that requires the token. The shell
 * gets what a reader's terminal has — PATH, HOME, JAVA_HOME, the KEYROOM_PORT the tutorial tells
 * the reader to set, the REPO_URL it tells the reader to export — and nothing else.
 */
class TutorialTest {
  static final String GEMINI_KEY = "test-gemini-key-CanaryTutorialGeminiKey0123456789";
  static final String GIT_TOKEN = "test-git-token-canaryTutorialGitToken_0123456789";
  static final String IDEAS =
      "1. Measure what the agent costs per task\\n2. Compare two models\\n3. Write it up";
  static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(90);
  static final Duration SERVER_START = Duration.ofSeconds(90);

  @TempDir Path dir;

  // what the walk through the page sets up and records
  private Path checkout;
  private Map<String, String> terminal;
  private FakeUpstream gemini;
  private GitHttpServer git;
  private Server server;
  private String keyroomUrl;
  private String adminToken;
  private final Map<Tutorial.Step, ReaderShell.Result> results = new LinkedHashMap<>();
  private final List<String> outputs = new ArrayList<>();

  @Test
  void theTutorialRunsAsWritten_andNeitherTheKeyNorTheTokenShowsAnywhere() throws Exception {
    assertThat(Path.of(GitHttpServer.BACKEND))
        .as("git http-backend (apt-get install -y git)")
        .isExecutable();
    Tutorial tutorial = Tutorial.parse(Files.readString(Path.of("docs/tutorial.md")));
    assertThat(tutorial.steps())
        .extracting(Tutorial.Step::body)
        .anySatisfy(b -> assertThat(b).contains("keyroom login"))
        .anySatisfy(
            b -> assertThat(b).contains("keyroom run --workroom research -- python3 agent.py"));

    checkout = LauncherCheckout.in(dir.resolve("keyroom")).manifestOnlyJar().dir;
    Path home = Files.createDirectories(dir.resolve("home"));
    Path repos = Files.createDirectories(dir.resolve("repos"));
    seedRepository(repos);
    int port = freePort();
    keyroomUrl = "http://127.0.0.1:" + port;
    terminal = new LinkedHashMap<>();
    terminal.put("PATH", System.getenv("PATH"));
    terminal.put("HOME", home.toString());
    terminal.put("JAVA_HOME", System.getProperty("java.home"));
    terminal.put("LANG", "C.UTF-8");
    terminal.put("KEYROOM_PORT", Integer.toString(port));

    try (FakeUpstream g = fakeGemini();
        GitHttpServer h = new GitHttpServer(repos, GIT_TOKEN);
        ReaderShell shell = new ReaderShell(dir.resolve("blocks"), checkout, terminal)) {
      gemini = g;
      git = h;
      String repoUrl = git.url("agent-notes.git");
      try {
        for (Tutorial.Step step : tutorial.steps()) {
          results.put(step, take(step, shell, repoUrl));
        }

        // the login landed in the reader's HOME, as the page says
        assertThat(home.resolve(".config/keyroom/config.json")).isRegularFile();

        // the agent held a placeholder; Gemini got the real key, and never a placeholder
        assertThat(output("keyroom run --workroom research"))
            .contains("GEMINI_API_KEY in this script starts with kr_ph_gemini_\n")
            .contains("Gemini answered (17 tokens)")
            .contains("pushed ideas.md to " + repoUrl);
        List<FakeUpstream.Seen> calls = gemini.seen();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).method()).isEqualTo("POST");
        assertThat(calls.get(0).path())
            .isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(calls.get(0).header("x-goog-api-key")).isEqualTo(GEMINI_KEY);
        assertThat(calls.get(0).everything()).doesNotContain("kr_ph_").doesNotContain("kr_sess_");

        // the push landed, with the token, through git's credential helper
        assertThat(git.passwordsSeen).contains(GIT_TOKEN);
        assertThat(gitOutput(repos, "git", "-C", "agent-notes.git", "log", "--format=%s", "main"))
            .contains("Add ideas from Gemini");
        assertThat(gitOutput(repos, "git", "-C", "agent-notes.git", "show", "main:ideas.md"))
            .contains("Compare two models");

        // what happened is on record: usage (API and `keyroom usage`) and the audit log
        // usage is written off the request path, after the answer: wait (bounded) for the row
        JsonNode usage = api("GET", "/api/v1/usage?groupBy=provider", null).get("rows");
        for (long until = System.nanoTime() + 10_000_000_000L;
            usage.isEmpty() && System.nanoTime() < until; ) {
          Thread.sleep(20);
          usage = api("GET", "/api/v1/usage?groupBy=provider", null).get("rows");
        }
        assertThat(usage).hasSize(1);
        assertThat(usage.get(0).get("key").asText()).isEqualTo("gemini");
        assertThat(usage.get(0).get("requests").asLong()).isEqualTo(1);
        assertThat(usage.get(0).get("inputTokens").asLong()).isEqualTo(12);
        assertThat(usage.get(0).get("outputTokens").asLong()).isEqualTo(5);
        assertThat(output("keyroom usage")).containsPattern("(?m)^gemini +1 +0 +12 +5 ");
        assertThat(output("keyroom audit list"))
            .contains("proxy.use")
            .contains("session.git-credential");

        // after the revoke, the next session has no Gemini and the agent stops before calling
        // anything
        assertThat(output("keyroom secrets revoke")).contains("status revoked");
        assertThat(
                outputAfter(
                    st -> st.body().contains("keyroom secrets revoke"),
                    "keyroom run --workroom research"))
            .contains("skipped GEMINI_API_KEY")
            .contains("is revoked")
            .contains("no Gemini in this session");
        assertThat(gemini.seen()).hasSize(1);
      } finally {
        if (server != null) {
          outputs.add(server.stop());
        }
      }
    }

    // canaries: never in a block's output, the server's output and logs, or any file under the
    // test's directory
    for (String canary : List.of(GEMINI_KEY, GIT_TOKEN)) {
      assertThat(outputs).noneMatch(o -> o.contains(canary));
      assertThat(filesContaining(dir, canary)).isEmpty();
    }
  }

  /**
   * Does what the reader does with {@code step}: runs it, saves it, or (marked instead=…) the
   * test's own equivalent.
   */
  private ReaderShell.Result take(Tutorial.Step step, ReaderShell shell, String repoUrl)
      throws Exception {
    ReaderShell.Result nothing = new ReaderShell.Result(0, "", "", shell.cwd());
    switch (step.kind()) {
      case FILE -> {
        Files.writeString(shell.cwd().resolve(step.argument()), step.body());
        return nothing;
      }
      case INSTEAD -> {
        switch (step.argument()) {
          case "serve" -> {
            Map<String, String> env = new HashMap<>(terminal);
            env.put("PATH", checkout + File.pathSeparator + terminal.get("PATH"));
            env.put("KEYROOM_UPSTREAM_GEMINI", gemini.url());
            env.put("KEYROOM_LOG_LEVEL", "debug");
            // this checkout's jar is a manifest over the test class path (directories), from
            // which no start-up cache can be made: skip the training a real jar gets once
            env.put("KEYROOM_STARTUP_CACHE", "off");
            server = Server.start(checkout, env, step.body(), dir.resolve("server"));
            adminToken =
                server
                    .await(true, Pattern.compile("\\n  (kr_u_[A-Za-z0-9_-]+)\\n"), SERVER_START)
                    .group(1);
            server.await(
                false,
                Pattern.compile("Keyroom serving on " + Pattern.quote(keyroomUrl)),
                SERVER_START);
            return nothing;
          }
          case "repo-url" -> {
            return shell.run(
                "export REPO_URL='" + repoUrl + "' GIT_HOST='" + git.hostAndPort() + "'\n",
                null,
                false,
                BLOCK_TIMEOUT);
          }
          default ->
              throw new AssertionError(step + ": the test has no step '" + step.argument() + "'");
        }
      }
      default -> {
        byte[] typed =
            step.argument() == null
                ? null
                : (switch (step.argument()) {
                          case "admin-token" -> adminToken;
                          case "gemini-key" -> GEMINI_KEY;
                          case "git-token" -> GIT_TOKEN;
                          default ->
                              throw new AssertionError(
                                  step + ": nothing to type for stdin=" + step.argument());
                        }
                        + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        ReaderShell.Result r = shell.run(step.body(), typed, step.exit() != 0, BLOCK_TIMEOUT);
        outputs.add(r.stdout() + r.stderr());
        assertThat(r.exitCode())
            .as("%s\n%s\nstdout:\n%s\nstderr:\n%s", step, step.body(), r.stdout(), r.stderr())
            .isEqualTo(step.exit());
        return r;
      }
    }
  }

  /**
   * Gemini at the edge of the world: answers generateContent only when the real key is in
   * x-goog-api-key.
   */
  private static FakeUpstream fakeGemini() {
    FakeUpstream up = new FakeUpstream();
    up.on(
        "/v1beta/models/",
        (ex, seen) -> {
          if (!GEMINI_KEY.equals(seen.header("x-goog-api-key"))) {
            FakeUpstream.json(
                ex,
                400,
                "{\"error\":{\"code\":400,\"message\":\"API key not valid.\",\"status\":\"INVALID_ARGUMENT\"}}");
            return;
          }
          FakeUpstream.json(
              ex,
              200,
              "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\""
                  + IDEAS
                  + "\"}],\"role\":\"model\"},"
                  + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":5,"
                  + "\"totalTokenCount\":17},\"modelVersion\":\"gemini-2.5-flash\"}");
        });
    return up;
  }

  private JsonNode api(String method, String path, String body) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(keyroomUrl + path))
                    .header("Authorization", "Bearer " + adminToken)
                    .header("Content-Type", "application/json")
                    .method(
                        method,
                        body == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
    return Json.MAPPER.readTree(r.body());
  }

  /** The output of the first block running {@code command}. */
  private String output(String command) {
    return results.entrySet().stream()
        .filter(e -> e.getKey().kind() == Tutorial.Kind.RUN && e.getKey().body().contains(command))
        .findFirst()
        .map(e -> e.getValue().stdout() + e.getValue().stderr())
        .orElseThrow(
            () -> new AssertionError("docs/tutorial.md has no block running '" + command + "'"));
  }

  /** The output of the first block running {@code command} after the step {@code after}. */
  private String outputAfter(Predicate<Tutorial.Step> after, String command) {
    boolean seen = false;
    for (Map.Entry<Tutorial.Step, ReaderShell.Result> e : results.entrySet()) {
      if (seen && e.getKey().kind() == Tutorial.Kind.RUN && e.getKey().body().contains(command)) {
        return e.getValue().stdout() + e.getValue().stderr();
      }
      seen |= after.test(e.getKey());
    }
    throw new AssertionError(
        "docs/tutorial.md has no block running '" + command + "' where the test looks for it");
  }

  /** The reader's repository: a bare repository with one commit on main, pushable over HTTP. */
  private static void seedRepository(Path repos) throws Exception {
    gitOutput(repos, "git", "init", "-q", "--bare", "-b", "main", "agent-notes.git");
    gitOutput(repos, "git", "-C", "agent-notes.git", "config", "http.receivepack", "true");
    gitOutput(repos, "git", "init", "-q", "-b", "main", "seed");
    Files.writeString(repos.resolve("seed/README.md"), "# Agent notes\n");
    gitOutput(repos, "git", "-C", "seed", "add", "README.md");
    gitOutput(
        repos,
        "git",
        "-C",
        "seed",
        "-c",
        "user.name=Reader",
        "-c",
        "user.email=reader@example.com",
        "commit",
        "-qm",
        "Start");
    gitOutput(repos, "git", "-C", "seed", "push", "-q", "../agent-notes.git", "main");
  }

  private static String gitOutput(Path cwd, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().put("HOME", cwd.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static List<Path> filesContaining(Path root, String needle) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .filter(
              p -> {
                try {
                  return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)
                      .contains(needle);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .toList();
    }
  }
}
