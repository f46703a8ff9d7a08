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
 * A git token belongs to its git hosts. The credential helper answers only for a host the token is
 * bound to (the kind's default, e.g. github.com, or what the owner chose); any other host — a
 * hostile remote or submodule that answers 401 — gets a 403 naming the host and the rule, and the
 * refusal is audited. Run on SQLite ({@link SqliteGitTokenIsBoundToItsHostsTest}) and PostgreSQL.
 */
abstract class GitTokenIsBoundToItsHostsTest extends OneKeyroomPerClass {
  static final String TOKEN = "test-git-token-hostBoundCanary_0123456789abcdef";
  static final String OTHER_TOKEN = "glpat-hostBoundCanary_0123456789";

  Tenancy.Founded acme;
  String admin;
  String member;
  String workroom;

  @BeforeEach
  void tenantWithAGitWorkroom() {
    acme = newTenant("git-hosts");
    admin = acme.adminToken().token();
    User alice = k.keyroom.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    member = k.keyroom.tokens().issueForUser(acme.tenant().id(), alice.id(), "cli", "test").token();
    workroom =
        ok(
                k.post(
                    "/api/v1/workrooms",
                    admin,
                    "{\"name\":\"Code\",\"tools\":[{\"kind\":\"git-token\"}]}"),
                201)
            .get("id")
            .asText();
    k.addMember(acme.tenant().id(), new dev.keyroom.session.WorkroomId(workroom), alice.id());
  }

  @Test
  void aGitTokenIsBoundToItsKindsDefaultHost_andRefusedForAnyOther() {
    JsonNode created =
        ok(
            k.post(
                "/api/v1/me/integrations",
                member,
                json(Map.of("kind", "git-token", "name", "github", "value", TOKEN))),
            201);
    assertThat(created.get("hosts")).as(created.toString()).isNotNull();
    assertThat(created.get("hosts").toString()).isEqualTo("[\"github.com\"]");
    String[] session = session();

    assertThat(credential(session, "github.com").get("password").asText()).isEqualTo(TOKEN);
    assertThat(credential(session, "GitHub.com").get("password").asText()).isEqualTo(TOKEN);

    for (String host :
        List.of(
            "attacker.example", "github.com.attacker.example", "github.com:8443", "127.0.0.1:1")) {
      HttpResponse<String> refused = gitCredential(session, "https", host);
      assertThat(refused.statusCode()).as(host + ": " + refused.body()).isEqualTo(403);
      assertThat(refused.body())
          .contains(host)
          .contains("github.com")
          .contains("hosts")
          .doesNotContain(TOKEN);
    }

    JsonNode audit = ok(k.get("/api/v1/audit?action=session.git-credential&limit=100", admin), 200);
    List<JsonNode> denied =
        rows(audit).stream().filter(e -> e.get("outcome").asText().equals("denied")).toList();
    assertThat(denied)
        .extracting(e -> e.get("detail").get("host").asText())
        .contains("attacker.example", "github.com.attacker.example", "github.com:8443");
    assertThat(denied)
        .allSatisfy(e -> assertThat(e.get("sessionId").asText()).isEqualTo(session[0]));
    assertThat(audit.toString()).doesNotContain(TOKEN);
  }

  @Test
  void theOwnerChoosesTheHosts_andEachHostGetsItsOwnToken() {
    String gitlab =
        ok(
                k.post(
                    "/api/v1/me/integrations",
                    member,
                    json(
                        Map.of(
                            "kind",
                            "git-token",
                            "name",
                            "work",
                            "value",
                            OTHER_TOKEN,
                            "hosts",
                            List.of("git.example.com:8443", "gitlab.example.com")))),
                201)
            .get("id")
            .asText();
    ok(
        k.post(
            "/api/v1/me/integrations",
            member,
            json(Map.of("kind", "git-token", "name", "github", "value", TOKEN))),
        201);
    String[] session = session();

    assertThat(credential(session, "gitlab.example.com").get("password").asText())
        .isEqualTo(OTHER_TOKEN);
    assertThat(credential(session, "git.example.com:8443").get("password").asText())
        .isEqualTo(OTHER_TOKEN);
    assertThat(credential(session, "github.com").get("password").asText()).isEqualTo(TOKEN);
    assertThat(gitCredential(session, "https", "git.example.com").statusCode()).isEqualTo(403);

    JsonNode changed =
        ok(
            k.send(
                "PATCH",
                "/api/v1/me/integrations/" + gitlab,
                member,
                json(Map.of("hosts", List.of("git.example.com")))),
            200);
    assertThat(changed.get("hosts").toString()).isEqualTo("[\"git.example.com\"]");
    assertThat(credential(session, "git.example.com").get("password").asText())
        .isEqualTo(OTHER_TOKEN);
    assertThat(gitCredential(session, "https", "gitlab.example.com").statusCode()).isEqualTo(403);
    assertThat(k.get("/api/v1/audit?action=integration.hosts", admin).body()).contains(gitlab);
  }

  @Test
  void hostsAreValidated_noWildcardsNoPathsNoBadPorts() {
    for (Object bad :
        List.of(
            List.of("*.example.com"),
            List.of("exa mple.com"),
            List.of("example.com:0"),
            List.of("example.com:70000"),
            List.of("https://example.com"),
            List.of("example.com/org"),
            List.of(),
            List.of("-bad.example"),
            List.of("user@example.com"))) {
      HttpResponse<String> res =
          k.post(
              "/api/v1/me/integrations",
              member,
              json(Map.of("kind", "git-token", "name", "t", "value", TOKEN, "hosts", bad)));
      assertThat(res.statusCode()).as(bad + ": " + res.body()).isEqualTo(400);
      assertThat(res.body()).contains("hosts");
    }
    HttpResponse<String> notGit =
        k.post(
            "/api/v1/me/integrations",
            member,
            json(
                Map.of(
                    "kind",
                    "personal-env",
                    "name",
                    "MY_VAR",
                    "value",
                    "v",
                    "hosts",
                    List.of("github.com"))));
    assertThat(notGit.statusCode()).as(notGit.body()).isEqualTo(400);
    assertThat(notGit.body()).contains("hosts");
    assertThat(ok(k.get("/api/v1/me/integrations", member), 200).get("credentials")).isEmpty();
  }

  @Test
  void everyGitKindOfTheCatalogHasValidDefaultHosts_andOnlyGitKindsHaveHosts() {
    for (dev.keyroom.catalog.CredentialKind kind : k.keyroom.catalog().kinds()) {
      if (kind.isGit()) {
        assertThat(dev.keyroom.vault.GitHosts.parse(kind.git().hosts(), "git.hosts"))
            .as(kind.id())
            .isNotEmpty();
      }
    }
    assertThat(k.keyroom.catalog().kinds())
        .filteredOn(dev.keyroom.catalog.CredentialKind::isGit)
        .extracting(dev.keyroom.catalog.CredentialKind::id)
        .containsExactlyInAnyOrder("git-token", "github-oauth", "gitlab-oauth");
    assertThat(
            dev.keyroom.vault.GitHosts.allows(
                List.of("git.example.com"), "http", "git.example.com:80"))
        .isTrue();
    assertThat(
            dev.keyroom.vault.GitHosts.allows(
                List.of("git.example.com"), "http", "git.example.com:443"))
        .isFalse();
    assertThat(
            dev.keyroom.vault.GitHosts.allows(
                List.of("[2001:db8::1]:8443"), "https", "[2001:DB8::1]:8443"))
        .isTrue();
    assertThat(dev.keyroom.vault.GitHosts.allows(List.of("github.com"), "https", "github.com."))
        .isFalse();
  }

  @Test
  void anotherUserCannotChangeTheHostsOfMyToken() {
    String id =
        ok(
                k.post(
                    "/api/v1/me/integrations",
                    member,
                    json(Map.of("kind", "git-token", "name", "github", "value", TOKEN))),
                201)
            .get("id")
            .asText();
    HttpResponse<String> byAdmin =
        k.send(
            "PATCH",
            "/api/v1/me/integrations/" + id,
            admin,
            json(Map.of("hosts", List.of("attacker.example"))));
    assertThat(byAdmin.statusCode()).as(byAdmin.body()).isEqualTo(404);
    String[] session = session();
    assertThat(gitCredential(session, "https", "attacker.example").statusCode()).isEqualTo(403);
  }

  String[] session() {
    JsonNode n = ok(k.post("/api/v1/workrooms/" + workroom + "/sessions", member, "{}"), 201);
    return new String[] {n.get("id").asText(), n.get("sessionToken").asText()};
  }

  JsonNode credential(String[] session, String host) {
    return ok(gitCredential(session, "https", host), 200);
  }

  HttpResponse<String> gitCredential(String[] session, String protocol, String host) {
    return k.post(
        "/api/v1/sessions/" + session[0] + "/git-credential",
        session[1],
        json(Map.of("protocol", protocol, "host", host)));
  }

  static List<JsonNode> rows(JsonNode audit) {
    List<JsonNode> out = new java.util.ArrayList<>();
    audit.get("events").forEach(out::add);
    return out;
  }
}
