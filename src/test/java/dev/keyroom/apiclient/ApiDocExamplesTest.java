package dev.keyroom.apiclient;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.JsonResponses;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.usage.UsageMeterTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy-paste examples of docs/api.md work: every ```sh block marked {@code <!-- example: ops
 * -->} runs, in document order, in one bash (errexit, pipefail) against a running Keyroom with a
 * fake Gemini upstream, and must exit 0 (curl --fail-with-body fails on any error answer). Every
 * operation with a request body has an example, each block really calls the operations it names, no
 * token or value is ever written in a block, and none is printed.
 */
class ApiDocExamplesTest {
  private static final Path DOC = Path.of("docs", "api.md");
  private static final Pattern BLOCK =
      Pattern.compile("<!-- (example|not run): ([^>]*?) -->\\n```sh\\n(.*?)\\n```", Pattern.DOTALL);
  private static final String GEMINI_KEY = "canary-doc-gemini-AIza-5c4b3a29181706f5e4d3";
  private static final String NEW_GEMINI_KEY = "canary-doc-gemini-AIza-new-8e7d6c5b4a39";
  private static final String GIT_TOKEN = "canary-doc-git-ghp-0123456789abcdef01234567";

  /** Operations with a body that have no copy-paste example, and why (docs/api.md says so too). */
  private static final Map<String, String> WITHOUT_EXAMPLE =
      Map.of(
          "startOAuthConnection",
              "made by the browser that signs in: its answer sets the cookie the callback checks",
          "getGitCredential", "asked by keyroom git-credential for git; its answer is a secret");

  record Example(List<String> operations, String script) {}

  @TempDir Path dir;

  @Test
  void theDocumentedExamplesRunAgainstARunningKeyroom() throws Exception {
    Process tools =
        new ProcessBuilder("bash", "-c", "command -v curl && command -v jq")
            .redirectErrorStream(true)
            .start();
    assertThat(tools.waitFor(30, TimeUnit.SECONDS) && tools.exitValue() == 0)
        .as(
            "the examples need bash, curl and jq on PATH (.ci/run installs them): "
                + new String(tools.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isTrue();
    List<Example> examples = examples();
    String admin;
    String service;
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.writeString(work.resolve("gemini-key.txt"), GEMINI_KEY + "\n");
    Files.writeString(work.resolve("new-gemini-key.txt"), NEW_GEMINI_KEY + "\n");
    Files.writeString(work.resolve("github-token.txt"), GIT_TOKEN + "\n");
    StringBuilder script = new StringBuilder("set -euo pipefail\n");
    for (int i = 0; i < examples.size(); i++) {
      script
          .append("printf '\\n### example ")
          .append(i + 1)
          .append(": ")
          .append(String.join(" ", examples.get(i).operations()))
          .append("\\n' >&2\n")
          .append(examples.get(i).script())
          .append('\n');
    }
    script.append("printf '\\n### all examples ran\\n' >&2\n");
    Path file = Files.writeString(dir.resolve("examples.sh"), script);

    try (FakeUpstream gemini =
            new FakeUpstream()
                .on(
                    "/v1beta/models",
                    (ex, seen) -> FakeUpstream.json(ex, 200, UsageMeterTest.GEMINI));
        TestKeyroom k =
            TestKeyroom.start(
                TestKeyroom.config(
                        dir.resolve("keyroom"), TestDatabases.sqliteUrl(dir.resolve("keyroom")))
                    .withUpstream("gemini", gemini.url()),
                c -> c)) {
      Tenancy.Founded founded = k.tenant("acme");
      admin = founded.adminToken().token();
      service = k.keyroom.tokens().issueService(founded.tenant().id(), "platform", "test").token();

      ProcessBuilder pb =
          new ProcessBuilder("bash", file.toString())
              .directory(work.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(dir.resolve("stdout.txt").toFile())
              .redirectError(dir.resolve("stderr.txt").toFile());
      pb.environment().clear();
      pb.environment().put("PATH", System.getenv("PATH"));
      pb.environment().put("HOME", work.toString());
      pb.environment().put("KEYROOM_URL", k.url());
      pb.environment().put("KEYROOM_TOKEN", admin);
      pb.environment().put("KEYROOM_SERVICE_TOKEN", service);
      Process p = pb.start();
      boolean finished = p.waitFor(120, TimeUnit.SECONDS);
      if (!finished) {
        p.destroyForcibly();
      }
      String out = Files.readString(dir.resolve("stdout.txt"));
      String err = Files.readString(dir.resolve("stderr.txt"));
      assertThat(finished).as("the examples finished within 120 s\n" + err).isTrue();
      assertThat(p.exitValue())
          .as(
              "the examples of docs/api.md ran without error; stderr (the last '### example' failed):\n"
                  + err
                  + "\nstdout:\n"
                  + out)
          .isZero();
      assertThat(err).contains("### all examples ran");

      // What the examples did is really there (the proxy's usage and audit are written off the
      // request path, a moment after the answer).
      k.awaitUsageRows(null, 1);
      assertThat(gemini.seen())
          .singleElement()
          .satisfies(s -> assertThat(s.header("x-goog-api-key")).isEqualTo(GEMINI_KEY));
      JsonNode audit = JsonResponses.ok(k.get("/api/v1/audit?limit=1000", admin), 200);
      List<String> actions =
          audit.get("events").findValues("action").stream().map(JsonNode::asText).toList();
      assertThat(actions)
          .contains(
              "session.start",
              "session.environment",
              "proxy.use",
              "session.end",
              "workroom.create",
              "workroom.update",
              "workroom.member.add",
              "user.create",
              "user.role",
              "skill.create",
              "skill.update",
              "integration.consent.grant",
              "session.policy");
      assertThat(actions.stream().filter("session.end"::equals).count()).isEqualTo(2);
      JsonNode secret =
          JsonResponses.ok(k.get("/api/v1/secrets", admin), 200).get("credentials").get(0);
      assertThat(secret.get("version").asInt()).isEqualTo(2);
      assertThat(secret.at("/versions/1/status").asText()).isEqualTo("revoked");
      assertThat(
              JsonResponses.ok(k.get("/api/v1/workrooms", admin), 200)
                  .at("/workrooms/0/name")
                  .asText())
          .isEqualTo("research-2");
      String laptop = Files.readString(work.resolve("laptop-token.txt")).trim();
      assertThat(JsonResponses.ok(k.get("/api/v1/me", laptop), 200).at("/user/name").asText())
          .isEqualTo("admin");
      assertThat(Files.getPosixFilePermissions(work.resolve("laptop-token.txt")))
          .containsExactlyInAnyOrder(
              java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

      // Values and tokens are never printed, never written into a block.
      for (String secretText : List.of(GEMINI_KEY, NEW_GEMINI_KEY, GIT_TOKEN, admin, service)) {
        assertThat(out + err).doesNotContain(secretText);
      }
    }
  }

  @Test
  void everyRequestBodyHasAnExample_andEachExampleCallsWhatItNames() throws IOException {
    OpenApiContract contract = OpenApiContract.load();
    List<Example> examples = examples();
    Set<String> named =
        examples.stream()
            .flatMap(e -> e.operations().stream())
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> missing = new TreeSet<>();
    for (OpenApiContract.Operation op : contract.operations()) {
      if (op.node().has("requestBody")
          && !named.contains(op.id())
          && !WITHOUT_EXAMPLE.containsKey(op.id())) {
        missing.add(op.id());
      }
    }
    assertThat(missing)
        .as("operations with a request body but no example in docs/api.md")
        .isEmpty();
    assertThat(named)
        .contains(
            "grantConsent", "getSessionEnvironment", "getUsage", "endSession", "listAuditEvents");

    for (Example e : examples) {
      for (String id : e.operations()) {
        if (id.equals("proxy")) {
          assertThat(e.script()).contains("$GOOGLE_GEMINI_BASE_URL/");
          continue;
        }
        OpenApiContract.Operation op =
            contract.operations().stream()
                .filter(o -> o.id().equals(id))
                .findFirst()
                .orElseThrow(
                    () -> new AssertionError("docs/api.md names an unknown operation: " + id));
        assertThat(calls(e.script(), op))
            .as("the example for " + id + " calls " + op.method() + " " + op.pathTemplate())
            .isTrue();
      }
      assertThat(e.script())
          .as("tokens are never written into an example")
          .doesNotContainPattern("kr_(u|s|sess|ph)_[A-Za-z0-9_-]");
      assertThat(e.script())
          .as("a bearer header comes from a pipe, never an argument")
          .doesNotContain("-H \"Authorization");
    }
  }

  /**
   * Whether {@code script} sends {@code op}'s method to its path ({@code {x}} may be any $VARIABLE
   * or literal).
   */
  private static boolean calls(String script, OpenApiContract.Operation op) {
    String path =
        Arrays.stream(op.pathTemplate().substring(1).split("/"))
            .map(s -> s.startsWith("{") ? "(\\$[A-Z_]+|[A-Za-z0-9_-]+)" : Pattern.quote(s))
            .collect(Collectors.joining("/", "/", ""));
    Matcher m = Pattern.compile("\\$KEYROOM_URL" + path + "[\"?]").matcher(script);
    if (!m.find()) {
      return false;
    }
    return switch (op.method()) {
      case "GET" -> true;
      case "POST" -> script.contains("--data-binary @-") || script.contains("-X POST");
      default -> script.contains("-X " + op.method());
    };
  }

  /**
   * The ```sh blocks of docs/api.md marked as examples, in order; every sh block is marked one way
   * or the other.
   */
  static List<Example> examples() throws IOException {
    assertThat(DOC).as("run from the project directory").exists();
    String text = Files.readString(DOC, StandardCharsets.UTF_8);
    List<Example> out = new ArrayList<>();
    int marked = 0;
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      marked++;
      if (m.group(1).equals("example")) {
        out.add(new Example(List.of(m.group(2).trim().split("\\s+")), m.group(3)));
      }
    }
    int blocks = text.split("```sh\\n", -1).length - 1;
    assertThat(marked)
        .as(
            "every ```sh block in docs/api.md is marked <!-- example: … --> or <!-- not run: why -->")
        .isEqualTo(blocks);
    assertThat(out).isNotEmpty();
    return out;
  }
}
