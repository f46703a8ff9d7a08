package dev.keyroom.attack;

import static dev.keyroom.testing.JsonResponses.json;
import static dev.keyroom.testing.JsonResponses.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.OneKeyroomPerClass;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A value that will travel in an HTTP header (every proxied key, a git token) or as a one-line
 * environment value (a database password, a network key) is refused at the door when it holds a
 * control character — a trailing newline is the usual accident — with a 400 that names the field
 * and the rule and never echoes the value; on create and on replace. Multi-line environment secrets
 * stay allowed. Run on SQLite ({@link SqliteHeaderBoundValuesRefuseControlCharactersTest}) and
 * PostgreSQL.
 */
abstract class HeaderBoundValuesRefuseControlCharactersTest extends OneKeyroomPerClass {
  static final String KEY = "test-gemini-key-HeaderBoundCanary0123456789";

  Tenancy.Founded acme;
  String admin;
  String member;

  @BeforeEach
  void tenant() {
    acme = newTenant("ctl");
    admin = acme.adminToken().token();
    User u = k.keyroom.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    member = k.keyroom.tokens().issueForUser(acme.tenant().id(), u.id(), "cli", "test").token();
  }

  @Test
  void headerBoundValuesWithControlCharactersAreRefusedOnCreate() {
    for (String bad :
        List.of(
            KEY + "\n",
            KEY + "\r\n",
            "Bearer\r\nX-Injected: 1",
            KEY + "\t",
            "\u007f" + KEY,
            KEY + "\u0085")) {
      for (String kind : List.of("gemini", "openai", "anthropic")) {
        HttpResponse<String> res =
            k.post("/api/v1/secrets", admin, json(Map.of("kind", kind, "name", "k", "value", bad)));
        assertRefused(res, "HTTP header");
      }
      assertRefused(
          k.post(
              "/api/v1/me/integrations",
              member,
              json(Map.of("kind", "git-token", "name", "g", "value", bad))),
          "HTTP header");
    }
    assertRefused(
        k.post(
            "/api/v1/secrets",
            admin,
            json(Map.of("kind", "database-password", "name", "db", "value", "s3cret\n"))),
        "one line");
    assertRefused(
        k.post(
            "/api/v1/secrets",
            admin,
            json(Map.of("kind", "tailscale-auth-key", "name", "ts", "value", "tskey-auth-abc\n"))),
        "one line");
    assertThat(ok(k.get("/api/v1/secrets", admin), 200).get("credentials")).isEmpty();
  }

  @Test
  void headerBoundValuesWithControlCharactersAreRefusedOnReplace() {
    String id =
        ok(
                k.post(
                    "/api/v1/secrets",
                    admin,
                    json(Map.of("kind", "gemini", "name", "k", "value", KEY))),
                201)
            .get("id")
            .asText();
    assertRefused(
        k.send("PUT", "/api/v1/secrets/" + id + "/value", admin, json(Map.of("value", KEY + "\n"))),
        "HTTP header");
    assertThat(ok(k.get("/api/v1/secrets/" + id, admin), 200).get("version").asInt()).isEqualTo(1);
    String git =
        ok(
                k.post(
                    "/api/v1/me/integrations",
                    member,
                    json(Map.of("kind", "git-token", "name", "g", "value", KEY))),
                201)
            .get("id")
            .asText();
    assertRefused(
        k.send(
            "PUT",
            "/api/v1/me/integrations/" + git + "/value",
            member,
            json(Map.of("value", KEY + "\r\n"))),
        "HTTP header");
  }

  @Test
  void multiLineEnvironmentSecretsAreStillAccepted() {
    String pem = "-----BEGIN KEY-----\nabc\n-----END KEY-----\n";
    ok(
        k.post(
            "/api/v1/secrets",
            admin,
            json(Map.of("kind", "env", "name", "DEPLOY_KEY", "value", pem))),
        201);
    ok(
        k.post(
            "/api/v1/me/integrations",
            member,
            json(Map.of("kind", "personal-env", "name", "MY_KEY", "value", pem))),
        201);
    ok(
        k.post("/api/v1/secrets", admin, json(Map.of("kind", "gemini", "name", "k", "value", KEY))),
        201);
  }

  static void assertRefused(HttpResponse<String> res, String rule) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
    JsonNode body = ok(res, 400);
    assertThat(body.get("message").asText())
        .contains("value")
        .contains("control characters")
        .contains(rule);
    assertThat(res.body()).doesNotContain(KEY).doesNotContain("s3cret").doesNotContain("tskey");
  }
}
