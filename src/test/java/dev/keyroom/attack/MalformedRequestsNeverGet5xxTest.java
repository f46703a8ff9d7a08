package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.app.Config;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed requests — unknown or unparsable charsets, broken percent-escapes in path ids, broken
 * body framing (over-long chunk extensions, bad chunk sizes, bodies shorter than their
 * Content-Length before a half-close), garbage bodies — sent over raw sockets to every API route
 * (taken from the server, so new routes are covered) and to the proxy. Deterministic (fixed seed).
 * None may get a 5xx; the ones whose body must be read get a 4xx that names the rule.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedRequestsNeverGet5xxTest {
  static final long SEED = 20261201L;
  static final int REQUESTS = 600;
  static final Pattern PARAM = Pattern.compile("\\{[^}]+}");
  static final Pattern STATUS = Pattern.compile("^HTTP/1\\.1 (\\d{3})");

  /** One malformed request: where it went, what was wrong, and what came back. */
  record Outcome(String target, String mutation, int status, String body) {}

  /** A route to aim at, with the headers that get a request past authentication. */
  record Target(String method, String path, String authHeader) {}

  FakeUpstream upstream;
  TestKeyroom k;
  List<Target> targets = new ArrayList<>();
  String admin;

  @BeforeAll
  void start(@TempDir Path dir) {
    upstream = new FakeUpstream();
    Config base =
        TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
            .withUpstream("openai", upstream.url())
            .withUpstream("gemini", upstream.url());
    k = TestKeyroom.start(base, c -> c);
    Tenancy.Founded acme = k.tenant("acme");
    admin = acme.adminToken().token();
    CredentialScope scope = CredentialScope.tenantSecrets(acme.tenant().id());
    List<Workroom.Tool> tools = new ArrayList<>();
    String secretId = null;
    for (String p : List.of("openai", "gemini")) {
      CredentialId id =
          new CredentialId(
              k.keyroom
                  .vault()
                  .create(
                      scope,
                      p,
                      p + "-prod",
                      SecretValue.ofUtf8("fuzz-" + p + "-key-0123456789abcdef"),
                      "test")
                  .id());
      tools.add(new Workroom.Tool(p, id));
      secretId = id.value();
    }
    Workroom room = k.keyroom.workrooms().create(acme.tenant().id(), "fuzz", tools, "test");
    k.addMember(acme.tenant().id(), room.id(), acme.admin().id());
    Sessions.Started s =
        k.keyroom
            .sessions()
            .start(
                acme.tenant().id(),
                room.id(),
                acme.admin().id(),
                dev.keyroom.session.StartedBy.SELF,
                "test");
    Map<String, String> ph =
        k.keyroom.sessions().placeholders(acme.tenant().id(), s.session().id());
    for (ApiRoutes.Route r : k.keyroom.http().routes()) {
      targets.add(
          new Target(
              r.method(),
              PARAM.matcher(r.path()).replaceAll("abc_aaaaaaaaaaaaaaaaaaaaaaaaaa"),
              "Authorization: Bearer " + admin));
    }
    targets.add(
        new Target(
            "POST",
            "/proxy/openai/v1/chat/completions",
            "Authorization: Bearer " + ph.get("openai")));
    targets.add(
        new Target(
            "POST",
            "/proxy/gemini/v1beta/models/m:generateContent",
            "x-goog-api-key: " + ph.get("gemini")));
    targets.add(
        new Target(
            "PUT", "/api/v1/secrets/" + secretId + "/value", "Authorization: Bearer " + admin));
  }

  @AfterAll
  void stop() {
    k.close();
    upstream.close();
  }

  @Test
  void noMalformedRequestGetsA5xx() {
    Random random = new Random(SEED);
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      Target t = targets.get(random.nextInt(targets.size()));
      int m = random.nextInt(MUTATIONS);
      outcomes.add(send(t, m, random));
    }
    List<Outcome> fives =
        outcomes.stream().filter(o -> o.status() >= 500 || o.status() < 0).toList();
    assertThat(fives).as("answers of 5xx (or none at all) to malformed requests").isEmpty();
  }

  @Test
  void eachKnownCase_isA4xxThatNamesTheRule() {
    Target proxy = targets.get(targets.size() - 3);
    Target api = targets.get(targets.size() - 1);
    for (Target t : List.of(proxy, api)) {
      assertRule(send(t, 0, new Random(1)), 415, "charset");
      assertRule(send(t, 3, new Random(1)), 400, "chunked");
      assertRule(send(t, 4, new Random(1)), 400, "Content-Length");
      assertRule(send(t, 5, new Random(1)), 400, "chunked");
    }
    assertRule(
        send(
            new Target("POST", "/api/v1/users/%u002e/disable", "Authorization: Bearer " + admin),
            7,
            new Random(1)),
        400,
        "percent-escape");
    assertRule(
        send(new Target("POST", "/proxy/openai/v1/%u002e", proxy.authHeader()), 7, new Random(1)),
        400,
        "percent-escape");
  }

  static void assertRule(Outcome o, int status, String rule) {
    assertThat(o.status()).as("%s %s -> %s", o.target(), o.mutation(), o.body()).isEqualTo(status);
    assertThat(o.body()).as("%s %s", o.target(), o.mutation()).contains(rule);
  }

  static final int MUTATIONS = 9;

  Outcome send(Target t, int mutation, Random r) {
    String json = "{\"name\":\"fuzz\",\"value\":\"fuzz-value-0123456789\"}";
    String head =
        t.method() + " " + t.path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + t.authHeader() + "\r\n";
    String what;
    byte[] request;
    boolean halfClose = false;
    switch (mutation) {
      case 0 -> {
        String cs =
            List.of(
                    "x-unknown-" + r.nextInt(1000),
                    "\"",
                    "utf-8\"",
                    "%%%",
                    "\u00fctf8",
                    "a".repeat(300),
                    "",
                    "utf-8;charset=bogus",
                    "=")
                .get(r.nextInt(9));
        what = "charset";
        request =
            bytes(
                head
                    + "Content-Type: application/json; charset="
                    + cs
                    + "\r\nContent-Length: "
                    + json.length()
                    + "\r\nConnection: close\r\n\r\n"
                    + json);
      }
      case 1 -> {
        what = "garbage body";
        byte[] junk = new byte[r.nextInt(200)];
        r.nextBytes(junk);
        request =
            concat(
                bytes(
                    head
                        + "Content-Type: application/json\r\nContent-Length: "
                        + junk.length
                        + "\r\nConnection: close\r\n\r\n"),
                junk);
      }
      case 2 -> {
        what = "deep nesting";
        String deep = "[".repeat(2000 + r.nextInt(1000));
        request =
            bytes(
                head
                    + "Content-Type: application/json\r\nContent-Length: "
                    + deep.length()
                    + "\r\nConnection: close\r\n\r\n"
                    + deep);
      }
      case 3 -> {
        what = "chunk extension of 10,000 bytes";
        request =
            bytes(
                head
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + Integer.toHexString(json.length())
                    + ";ext="
                    + "x".repeat(10_000)
                    + "\r\n"
                    + json
                    + "\r\n0\r\n\r\n");
      }
      case 4 -> {
        what = "Content-Length longer than the body, then half-close";
        halfClose = true;
        request =
            bytes(
                head
                    + "Content-Type: application/json\r\nContent-Length: "
                    + (json.length() + 50 + r.nextInt(500))
                    + "\r\nConnection: close\r\n\r\n"
                    + json);
      }
      case 5 -> {
        what = "bad chunk size";
        halfClose = true;
        String size = List.of("zz", "-1", "ffffffffffffffffffff", "1 2", "").get(r.nextInt(5));
        request =
            bytes(
                head
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + size
                    + "\r\n"
                    + json
                    + "\r\n0\r\n\r\n");
      }
      case 6 -> {
        what = "chunked body cut short, then half-close";
        halfClose = true;
        request =
            bytes(
                head
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + Integer.toHexString(json.length() + 40)
                    + "\r\n"
                    + json);
      }
      case 7 -> {
        what = "path as given";
        request =
            bytes(
                head
                    + "Content-Type: application/json\r\nContent-Length: "
                    + json.length()
                    + "\r\nConnection: close\r\n\r\n"
                    + json);
      }
      default -> {
        what = "bad percent-escape in the path";
        String bad = List.of("%u002e", "%", "%g1", "%2", "%%41", "%zz").get(r.nextInt(6));
        String path =
            t.path().contains("abc_")
                ? t.path().replace("abc_aaaaaaaaaaaaaaaaaaaaaaaaaa", bad)
                : t.path() + "/" + bad;
        request =
            bytes(
                t.method()
                    + " "
                    + path
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + t.authHeader()
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + json.length()
                    + "\r\nConnection: close\r\n\r\n"
                    + json);
      }
    }
    return exchange(t, what, request, halfClose);
  }

  Outcome exchange(Target t, String what, byte[] request, boolean halfClose) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", k.keyroom.http().port()), 5000);
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      if (halfClose) {
        s.shutdownOutput();
      }
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          got.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        return new Outcome(
            t.method() + " " + t.path(), what, -1, "no complete answer within 15 s: " + got);
      } catch (IOException e) {
        // A reset after the answer was sent still leaves the answer readable below.
      }
      String text = got.toString(StandardCharsets.UTF_8);
      Matcher m = STATUS.matcher(text);
      return new Outcome(
          t.method() + " " + t.path(), what, m.find() ? Integer.parseInt(m.group(1)) : -1, text);
    } catch (IOException e) {
      return new Outcome(
          t.method() + " " + t.path(),
          what,
          -1,
          "connection failed: " + e.getClass().getSimpleName());
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
