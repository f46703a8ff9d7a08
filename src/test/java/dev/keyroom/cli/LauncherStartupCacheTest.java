package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.LauncherCheckout;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's start-up cache (JDK 25+: an AOT cache; JDK 21-24: a CDS archive; both made by a
 * training run of this build's {@link StartupTraining}) is made once per jar, used by the JVM (a
 * JVM told that the cache is mandatory — {@code -XX:AOTMode=on}, {@code -Xshare:on} — starts), made
 * anew for a new jar, and a corrupt or truncated one changes nothing a person sees: the command's
 * output and exit code are the same, and stderr has no JVM line about it.
 */
class LauncherStartupCacheTest {
  static final String PREPARING = "keyroom: preparing the start-up cache";

  @TempDir Path dir;

  @Test
  void aotCache_isMadeOnce_usedByTheJvm_ignoredWhenCorrupt_andMadeAnewForANewJar()
      throws IOException {
    assumeTrue(
        Runtime.version().feature() >= 25,
        "the AOT cache needs JDK 25 (JDK 21-24 use the CDS archive, tested below)");
    LauncherCheckout checkout = LauncherCheckout.in(dir).writeJar("build 1");
    Path cache = dir.resolve("target/keyroom.jar.cli.aot");

    LauncherCheckout.Run first = checkout.run("--version");
    assertThat(first.stdout()).isEqualTo("keyroom 0.1.0\n");
    assertThat(first.exit()).isZero();
    assertThat(first.stderr().lines()).singleElement().asString().startsWith(PREPARING);
    assertThat(cache).isNotEmptyFile();
    FileTime made = Files.getLastModifiedTime(cache);

    LauncherCheckout.Run strict =
        checkout.run(Map.of("KEYROOM_JAVA_OPTS", "-XX:AOTMode=on"), "", "--version");
    assertThat(strict.exit())
        .as("a JVM that must use the cache starts: %s", strict.stderr())
        .isZero();
    assertThat(strict.stdout()).isEqualTo("keyroom 0.1.0\n");
    assertThat(strict.stderr()).isEmpty();
    assertThat(Files.getLastModifiedTime(cache)).isEqualTo(made);

    corrupt(cache);
    assertQuietlyTheSame(checkout.run("--version"));
    assertQuietlyTheSame(checkout.run("--version"));

    // a new build: the jar is newer than the cache (made "an hour ago")
    Files.setLastModifiedTime(
        dir.resolve("target/keyroom.jar.cli.aot.jdk"),
        FileTime.from(Instant.now().minusSeconds(3600)));
    checkout.writeJar("build 2");
    LauncherCheckout.Run rebuilt = checkout.run("--version");
    assertThat(rebuilt.stderr()).startsWith(PREPARING);
    assertThat(rebuilt.stdout()).isEqualTo("keyroom 0.1.0\n");
    LauncherCheckout.Run strictAgain =
        checkout.run(Map.of("KEYROOM_JAVA_OPTS", "-XX:AOTMode=on"), "", "--version");
    assertThat(strictAgain.exit())
        .as("the new jar's cache is used: %s", strictAgain.stderr())
        .isZero();
    assertThat(strictAgain.stderr()).isEmpty();
  }

  @Test
  void serve_hasACacheOfItsOwn_madeFromAServersStart_andStartsWithIt() throws Exception {
    assumeTrue(Runtime.version().feature() >= 25, "the AOT cache needs JDK 25");
    LauncherCheckout checkout = LauncherCheckout.in(dir).writeJar("build 1");
    Path cache = dir.resolve("target/keyroom.jar.serve.aot");
    java.util.regex.Pattern serving =
        java.util.regex.Pattern.compile("Keyroom serving on (http\\S+)");
    for (String mode : List.of("auto", "on")) {
      // the first start trains the cache; the second must use it (AOTMode=on: no cache, no start)
      CliProcess.Watched serve =
          checkout.start(
              Map.of(
                  "KEYROOM_DATA_DIR",
                  dir.resolve("data").toString(),
                  "KEYROOM_PORT",
                  "0",
                  "KEYROOM_JAVA_OPTS",
                  "-XX:AOTMode=" + mode),
              "serve");
      try {
        String url = serve.awaitLine(serving, Duration.ofSeconds(120));
        HttpResponse<String> health =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(cache).as("made by the first start").isNotEmptyFile();
        assertThat(Files.readString(dir.resolve("target/keyroom.jar.serve.aot.jdk")))
            .doesNotStartWith("failed");
      } finally {
        serve.process().destroy();
        serve.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
    assertThat(dir.resolve("target/keyroom.jar.cli.aot"))
        .as("the clients' cache is another, made by a client")
        .doesNotExist();
  }

  @Test
  void cdsArchive_theJdk21Way_isMadeAndUsed_andATruncatedOneIsIgnored() throws IOException {
    LauncherCheckout checkout = LauncherCheckout.in(dir).writeJar("build 1");
    Map<String, String> cds = Map.of("KEYROOM_STARTUP_CACHE", "cds");
    Path archive = dir.resolve("target/keyroom.jar.cli.cds");

    LauncherCheckout.Run first = checkout.run(cds, "", "--version");
    assertThat(first.exit()).isZero();
    assertThat(first.stdout()).isEqualTo("keyroom 0.1.0\n");
    assertThat(archive).isNotEmptyFile();

    LauncherCheckout.Run strict =
        checkout.run(
            Map.of("KEYROOM_STARTUP_CACHE", "cds", "KEYROOM_JAVA_OPTS", "-Xshare:on"),
            "",
            "--version");
    assertThat(strict.exit())
        .as("a JVM that must use the archive starts: %s", strict.stderr())
        .isZero();
    assertThat(strict.stderr()).isEmpty();

    byte[] whole = Files.readAllBytes(archive);
    Files.write(archive, java.util.Arrays.copyOf(whole, whole.length / 3));
    assertQuietlyTheSame(checkout.run(cds, "", "--version"));
  }

  @Test
  void gitCredentialThroughTheLauncher_withItsOwnCache_answersGitAsBefore() throws IOException {
    String token = "test-git-token-canaryLauncherCache_000000000001";
    LauncherCheckout checkout = LauncherCheckout.in(dir.resolve("checkout")).writeJar("build 1");
    try (TestKeyroom k = TestKeyroom.sqlite(dir.resolve("keyroom"))) {
      LauncherFixture f = new LauncherFixture(k);
      f.integration("git-token", "github", token, List.of("github.com"));
      String[] session =
          f.session(f.workroom("{\"name\":\"Code\",\"tools\":[{\"kind\":\"git-token\"}]}"));
      Map<String, String> env =
          Map.of(
              "KEYROOM_URL",
              k.url(),
              "KEYROOM_SESSION_ID",
              session[0],
              "KEYROOM_SESSION_TOKEN",
              session[1]);

      for (int run = 0; run < 2; run++) {
        LauncherCheckout.Run bound =
            checkout.run(env, "protocol=https\nhost=github.com\n\n", "git-credential", "get");
        assertThat(bound.exit()).as(bound.stderr()).isZero();
        assertThat(bound.stdout()).isEqualTo("username=x-access-token\npassword=" + token + "\n");
        assertThat(bound.stderr())
            .doesNotContain(token)
            .doesNotContain("[aot]")
            .doesNotContain("warning");
      }
      assertThat(
              checkout.dir.resolve(
                  "target/keyroom.jar.git-credential."
                      + (Runtime.version().feature() >= 25 ? "aot" : "cds")))
          .isNotEmptyFile();

      LauncherCheckout.Run other =
          checkout.run(env, "protocol=https\nhost=attacker.example\n\n", "git-credential", "get");
      assertThat(other.exit()).isZero();
      assertThat(other.stdout()).isEmpty();
      assertThat(other.stderr()).contains("keyroom git-credential:").doesNotContain(token);
    }
  }

  private static void corrupt(Path cache) throws IOException {
    byte[] noise = new byte[(int) Math.min(Files.size(cache), 1 << 20)];
    new Random(7).nextBytes(noise);
    Files.write(cache, noise);
  }

  /** The command's usual answer, and nothing else on stderr (no JVM line about the cache). */
  private static void assertQuietlyTheSame(LauncherCheckout.Run r) {
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("keyroom 0.1.0\n");
    assertThat(r.stderr()).isEmpty();
  }
}
