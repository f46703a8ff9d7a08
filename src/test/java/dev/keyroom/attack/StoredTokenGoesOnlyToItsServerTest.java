package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.keyroom.cli.Main;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.CliProcess;
import dev.keyroom.testing.TestKeyroom;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token {@code keyroom login} stored for one server is never sent to another: a URL from {@code
 * --url} or {@code KEYROOM_URL} that is not the profile's (a typo, a hostile {@code .envrc}, a
 * copied command) gets no request at all. (No storage involved: SQLite only.)
 */
class StoredTokenGoesOnlyToItsServerTest {
  @TempDir Path dir;
  TestKeyroom k;
  String aliceToken;
  Path config;

  @BeforeEach
  void start() {
    k = TestKeyroom.sqlite(dir);
    Tenancy.Founded acme = k.tenant("acme");
    User alice = k.keyroom.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    aliceToken =
        k.keyroom.tokens().issueForUser(acme.tenant().id(), alice.id(), "cli", "test").token();
    config = dir.resolve("cfg").resolve("config.json");
  }

  @AfterEach
  void stop() {
    k.close();
  }

  Map<String, String> env(String... pairs) {
    Map<String, String> m = new HashMap<>();
    m.put("KEYROOM_CONFIG", config.toString());
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  static byte[] stdin(String s) {
    return (s + "\n").getBytes(StandardCharsets.UTF_8);
  }

  static void assertNoToken(CliProcess.Result r, String token) {
    assertThat(r.stdout()).doesNotContain(token);
    assertThat(r.stderr()).doesNotContain(token);
  }

  @Test
  void aStoredToken_isNeverSentToAUrlFromAFlagOrTheEnvironment() throws Exception {
    assertThat(CliProcess.run(env(), stdin(aliceToken), "login", k.url()).exitCode()).isZero();
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    other.createContext(
        "/",
        ex -> {
          seen.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          ex.sendResponseHeaders(401, -1);
          ex.close();
        });
    other.start();
    try {
      String otherUrl = "http://127.0.0.1:" + other.getAddress().getPort();
      for (Map<String, String> e : List.of(env("KEYROOM_URL", otherUrl), env())) {
        String[] args =
            e.containsKey("KEYROOM_URL")
                ? new String[] {"whoami"}
                : new String[] {"whoami", "--url", otherUrl};
        CliProcess.Result r = CliProcess.run(e, null, args);
        assertThat(r.exitCode()).isEqualTo(Main.USAGE);
        assertThat(r.stderr())
            .contains("holds a token for " + k.url())
            .contains("not for " + otherUrl);
        assertNoToken(r, aliceToken);
      }
      CliProcess.Result run =
          CliProcess.run(env(), null, "run", "--url", otherUrl, "--workroom", "w", "--", "true");
      assertThat(run.exitCode()).isEqualTo(Main.USAGE);
      CliProcess.Result secrets =
          CliProcess.run(env("KEYROOM_URL", otherUrl + "/"), null, "secrets", "list");
      assertThat(secrets.exitCode()).isEqualTo(Main.USAGE);
      assertThat(seen).as("requests that reached the other server").isEmpty();
    } finally {
      other.stop(0);
    }
  }
}
