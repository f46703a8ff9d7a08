package dev.keyroom.tutorial;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.cli.GitHttpServer;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.testing.CheckoutCopy;
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
  static final String GEMINI_KEY = "AIzaSyCanaryTutorialGeminiKey0123456789";
  static final String GIT_TOKEN = "github_pat_canaryTutorialGitToken_0123456789";
  static final String IDEAS = "1. Measure what the agent costs per task\\n2. Compare two models\\n3. Write it up";
  static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(90);
  static final Duration SERVER_START = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void theTutorialRunsAsWritten_andNeitherTheKeyNorTheTokenShowsAnywhere() throws Exception {
    assertThat(Path.of(GitHttpServer.BACKEND)).as("git http-backend (apt-get install -y git)").isExecutable();
    Tutorial tutorial = Tutorial.parse(Files.readString(Path.of("docs/tutorial.md")));
    assertThat(tutorial.steps()).extracting(Tutorial.Step::body)
        .anySatisfy(b -> assertThat(b).contains("keyroom login"))
        .anySatisfy(b -> assertThat(b).contains("keyroom run --workroom research -- python3 agent.py"));

    Path checkout = CheckoutCopy.create(dir.resolve("keyroom"));
    Path home = Files.createDirectories(dir.resolve("home"));
    Path repos = Files.createDirectories(dir.resolve("repos"));
    seedRepository(repos);
    int port = freePort();
    String keyroomUrl = "http://127.0.0.1:" + port;

    Map<String, String> terminal = new LinkedHashMap<>();
    terminal.put("PATH", System.getenv("PATH"));
    terminal.put("HOME", home.toString());
    terminal.put("JAVA_HOME", System.getProperty("java.home"));
    terminal.put("LANG", "C.UTF-8");
    terminal.put("KEYROOM_PORT", Integer.toString(port));

    List<String> outputs = new ArrayList<>();
    Map<Tutorial.Step, ReaderShell.Result> results = new LinkedHashMap<>();
    try (FakeUpstream gemini = fakeGemini(); GitHttpServer git = new GitHttpServer(repos, GIT_TOKEN);
        ReaderShell shell = new ReaderShell(dir.resolve("blocks"), checkout, terminal)) {
      Server server = null;
      String adminToken = null;
      String repoUrl = git.url("agent-notes.git");
      try {
        for (Tutorial.Step step : tutorial.steps()) {
          switch (step.kind()) {
            case FILE -> Files.writeString(shell.cwd().resolve(step.argument()), step.body());
            case INSTEAD -> {
              switch (step.argument()) {
                case "serve" -> {
                  Map<String, String> env = new HashMap<>(terminal);
                  env.put("PATH", checkout + File.pathSeparator + terminal.get("PATH"));
                  env.put("KEYROOM_UPSTREAM_GEMINI", gemini.url());
                  env.put("KEYROOM_LOG_LEVEL", "debug");
                  server = Server.start(checkout, env, step.body(), dir.resolve("server"));
                  adminToken = server.await(true, Pattern.compile("\\n  (kr_u_[A-Za-z0-9_-]+)\\n"), SERVER_START).group(1);
                  server.await(false, Pattern.compile("Keyroom serving on " + Pattern.quote(keyroomUrl)), SERVER_START);
                }
                case "repo-url" -> results.put(step, shell.run("export REPO_URL='" + repoUrl + "'\n", null, BLOCK_TIMEOUT));
                case "git-integration" -> addGitIntegration(keyroomUrl, adminToken, git.hostAndPort());
                default -> throw new AssertionError(step + ": the test has no step '" + step.argument() + "'");
              }
            }
            case RUN -> {
              byte[] stdin = step.argument() == null ? null : (switch (step.argument()) {
                case "admin-token" -> adminToken;
                case "gemini-key" -> GEMINI_KEY;
                case "git-token" -> GIT_TOKEN;
                default -> throw new AssertionError(step + ": nothing to type for stdin=" + step.argument());
              } + "\n").getBytes(StandardCharsets.UTF_8);
              long t0 = System.nanoTime();
              ReaderShell.Result r = shell.run(step.body(), stdin, BLOCK_TIMEOUT);
              System.err.printf("TIMING %s %d ms%n%s%n---%n%s%n===%n", step, (System.nanoTime() - t0) / 1_000_000, r.stdout(), r.stderr());
              results.put(step, r);
              outputs.add(r.stdout() + r.stderr());
              assertThat(r.exitCode()).as("%s\n%s\nstdout:\n%s\nstderr:\n%s", step, step.body(), r.stdout(), r.stderr()).isZero();
            }
          }
        }
      } finally {
        if (server != null) {
          outputs.add(server.stop());
        }
      }

      // the login landed in the reader's HOME, as the tutorial says
      assertThat(home.resolve(".config/keyroom/config.json")).isRegularFile();

      // the agent held a placeholder, Gemini got the real key (and never a placeholder)
      String run = output(results, "keyroom run --workroom research");
      assertThat(run).contains("GEMINI_API_KEY in this script starts with kr_ph_gemini_\n")
          .contains("Gemini answered (17 tokens)").contains("pushed ideas.md to " + repoUrl);
      List<FakeUpstream.Seen> calls = gemini.seen();
      assertThat(calls).hasSize(1);
      assertThat(calls.get(0).method()).isEqualTo("POST");
      assertThat(calls.get(0).path()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
      assertThat(calls.get(0).header("x-goog-api-key")).isEqualTo(GEMINI_KEY);
      assertThat(calls.get(0).everything()).doesNotContain("kr_ph_").doesNotContain("kr_sess_");

      // the push landed, with the token, through git's credential helper
      assertThat(git.passwordsSeen).contains(GIT_TOKEN);
      assertThat(gitOutput(repos, "git", "-C", "agent-notes.git", "log", "--format=%s", "main")).contains("Add ideas from Gemini");
      assertThat(gitOutput(repos, "git", "-C", "agent-notes.git", "show", "main:ideas.md")).contains("Compare two models");

      // what happened is on record
      assertThat(output(results, "keyroom audit list")).contains("proxy.use").contains("session.git-credential");
      assertThat(output(results, "keyroom audit verify")).contains("intact");
    }

    // canaries: never in a block's output, the server's output or logs, or any file under the test's directory
    for (String canary : List.of(GEMINI_KEY, GIT_TOKEN)) {
      assertThat(outputs).noneMatch(o -> o.contains(canary));
      assertThat(filesContaining(dir, canary)).isEmpty();
    }
  }

  /** Gemini at the edge of the world: answers generateContent only when the real key is in x-goog-api-key. */
  private static FakeUpstream fakeGemini() {
    FakeUpstream up = new FakeUpstream();
    up.on("/v1beta/models/", (ex, seen) -> {
      if (!GEMINI_KEY.equals(seen.header("x-goog-api-key"))) {
        FakeUpstream.json(ex, 400, "{\"error\":{\"code\":400,\"message\":\"API key not valid.\",\"status\":\"INVALID_ARGUMENT\"}}");
        return;
      }
      FakeUpstream.json(ex, 200, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + IDEAS + "\"}],\"role\":\"model\"},"
          + "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":5,"
          + "\"totalTokenCount\":17},\"modelVersion\":\"gemini-2.5-flash\"}");
    });
    return up;
  }

  /** The person's own git token, as Profile → Integrations adds it: bound to the local git server's host. */
  private static void addGitIntegration(String keyroomUrl, String token, String host) throws Exception {
    String body = Json.MAPPER.writeValueAsString(Map.of("kind", "git-token", "name", "github", "value", GIT_TOKEN,
        "hosts", List.of(host)));
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(keyroomUrl + "/api/v1/me/integrations"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode created = Json.MAPPER.readTree(r.body());
    assertThat(created.get("kind").asText()).isEqualTo("git-token");
  }

  /** The reader's repository: a bare repository with one commit on main, pushable over HTTP. */
  private static void seedRepository(Path repos) throws Exception {
    gitOutput(repos, "git", "init", "-q", "--bare", "-b", "main", "agent-notes.git");
    gitOutput(repos, "git", "-C", "agent-notes.git", "config", "http.receivepack", "true");
    gitOutput(repos, "git", "init", "-q", "-b", "main", "seed");
    Files.writeString(repos.resolve("seed/README.md"), "# Agent notes\n");
    gitOutput(repos, "git", "-C", "seed", "add", "README.md");
    gitOutput(repos, "git", "-C", "seed", "-c", "user.name=Reader", "-c", "user.email=reader@example.com", "commit", "-qm", "Start");
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

  private static String output(Map<Tutorial.Step, ReaderShell.Result> results, String command) {
    return results.entrySet().stream().filter(e -> e.getKey().body().contains(command)).findFirst()
        .map(e -> e.getValue().stdout() + e.getValue().stderr())
        .orElseThrow(() -> new AssertionError("docs/tutorial.md has no block running '" + command + "'"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static List<Path> filesContaining(Path root, String needle) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).filter(p -> {
        try {
          return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(needle);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
  }
}
