package dev.keyroom.attack;

import static dev.keyroom.testing.JsonResponses.ok;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.TestKeyroom;
import java.net.http.HttpResponse;

/**
 * One tenant as an attacker inside it sees it, over real HTTP: its admin, the platform's service
 * token (minted by the operator), members with their own tokens, secrets, workrooms, sessions.
 */
final class Tenant {
  final TestKeyroom k;
  final Tenancy.Founded founded;
  final String admin;
  final String service;

  Tenant(TestKeyroom k, String name) {
    this.k = k;
    this.founded = k.tenant(name);
    this.admin = founded.adminToken().token();
    // The operator's command (keyroom admin create-service-token) issues it this way.
    this.service =
        k.keyroom.tokens().issueService(founded.tenant().id(), "platform", "system:cli").token();
  }

  /** A person of the tenant and their kr_u_ token. */
  record Person(User user, String token) {
    String id() {
      return user.id().value();
    }
  }

  /** A started session: id and kr_sess_ token. */
  record Session(String id, String token) {}

  Person member(String name) {
    User u = k.keyroom.tenancy().createUser(founded.tenant().id(), name, Role.MEMBER, "test");
    return new Person(
        u, k.keyroom.tokens().issueForUser(founded.tenant().id(), u.id(), "cli", "test").token());
  }

  String secret(String kind, String name, String value) {
    return ok(
            k.post(
                "/api/v1/secrets",
                admin,
                "{\"kind\":\""
                    + kind
                    + "\",\"name\":\""
                    + name
                    + "\",\"value\":\""
                    + value
                    + "\"}"),
            201)
        .get("id")
        .asText();
  }

  String integration(Person p, String kind, String name, String value) {
    return ok(
            k.post(
                "/api/v1/me/integrations",
                p.token(),
                "{\"kind\":\""
                    + kind
                    + "\",\"name\":\""
                    + name
                    + "\",\"value\":\""
                    + value
                    + "\"}"),
            201)
        .get("id")
        .asText();
  }

  /** A workroom from its JSON; {@code people} may work in it. */
  String workroom(String json, Person... people) {
    String id = ok(k.post("/api/v1/workrooms", admin, json), 201).get("id").asText();
    for (Person p : people) {
      allowIn(id, p);
    }
    return id;
  }

  /** Makes {@code p} a member of the workroom. */
  void allowIn(String workroomId, Person p) {
    k.addMember(
        founded.tenant().id(), new dev.keyroom.session.WorkroomId(workroomId), p.user().id());
  }

  /** The platform starts a session for {@code p}. */
  Session startByPlatform(String workroomId, Person p) {
    JsonNode n =
        ok(
            k.post(
                "/api/v1/workrooms/" + workroomId + "/sessions",
                service,
                "{\"userId\":\"" + p.id() + "\"}"),
            201);
    return new Session(n.get("id").asText(), n.get("sessionToken").asText());
  }

  /** {@code p} starts a session for themselves. */
  Session startAsSelf(String workroomId, Person p) {
    JsonNode n = ok(k.post("/api/v1/workrooms/" + workroomId + "/sessions", p.token(), "{}"), 201);
    return new Session(n.get("id").asText(), n.get("sessionToken").asText());
  }

  HttpResponse<String> environment(Session s) {
    return k.get("/api/v1/sessions/" + s.id() + "/environment", s.token());
  }

  HttpResponse<String> gitCredential(Session s, String host) {
    return k.post(
        "/api/v1/sessions/" + s.id() + "/git-credential",
        s.token(),
        "{\"protocol\":\"https\",\"host\":\"" + host + "\"}");
  }
}
