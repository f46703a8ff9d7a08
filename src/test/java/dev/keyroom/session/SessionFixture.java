package dev.keyroom.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;

/** A tenant with an admin, a service token and members, talking to a real Keyroom over HTTP. */
final class SessionFixture {
  final TestKeyroom k;
  final Tenancy.Founded founded;
  final String admin;
  final String service;

  SessionFixture(TestKeyroom k, String tenantName) {
    this.k = k;
    this.founded = k.tenant(tenantName);
    this.admin = founded.adminToken().token();
    this.service =
        k.keyroom.tokens().issueService(founded.tenant().id(), "platform", "test").token();
  }

  /** A member of the tenant and their kr_u_ token. */
  record Member(User user, String token) {}

  Member member(String name) {
    User u = k.keyroom.tenancy().createUser(founded.tenant().id(), name, Role.MEMBER, "test");
    return new Member(
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

  String integration(Member m, String kind, String name, String value) {
    return ok(
            k.post(
                "/api/v1/me/integrations",
                m.token(),
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

  String workroom(String json) {
    return ok(k.post("/api/v1/workrooms", admin, json), 201).get("id").asText();
  }

  /** A started session: id and kr_sess_ token. */
  record Started(String id, String token) {}

  /** Makes the member a member of the workroom (idempotent): only members start sessions in it. */
  void addMember(String workroomId, Member m) {
    HttpResponse<String> res =
        k.post(
            "/api/v1/workrooms/" + workroomId + "/members",
            admin,
            "{\"userId\":\"" + m.user().id().value() + "\"}");
    assertThat(res.statusCode()).as(res.body()).isIn(200, 201);
  }

  /** Starts a session for the member (made a member of the workroom first). */
  Started start(String workroomId, Member m) {
    addMember(workroomId, m);
    JsonNode n =
        ok(
            k.post(
                "/api/v1/workrooms/" + workroomId + "/sessions",
                service,
                "{\"userId\":\"" + m.user().id().value() + "\"}"),
            201);
    return new Started(n.get("id").asText(), n.get("sessionToken").asText());
  }

  /**
   * The member consents that platform-started sessions in the workroom may use their integrations.
   */
  void consent(Member m, String workroomId) {
    addMember(workroomId, m);
    ok(k.send("PUT", "/api/v1/me/consents/" + workroomId, m.token(), null), 200);
  }

  JsonNode environment(Started s) {
    return ok(k.get("/api/v1/sessions/" + s.id() + "/environment", s.token()), 200);
  }

  static String var(JsonNode env, String name) {
    for (JsonNode v : env.get("variables")) {
      if (v.get("name").asText().equals(name)) {
        return v.get("value").asText();
      }
    }
    return null;
  }

  static JsonNode ok(HttpResponse<String> res, int status) {
    assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
    return parse(res.body());
  }

  static JsonNode parse(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
