package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.api.Json;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.TestKeyroom;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A tenant, a member and a way to run {@code keyroom run} in-process against a real Keyroom. */
public final class LauncherFixture {
  final TestKeyroom k;
  final Tenancy.Founded founded;
  public final String admin;
  public final String service;
  final User user;
  final String userToken;

  public LauncherFixture(TestKeyroom k) {
    this.k = k;
    this.founded = k.tenant("acme");
    this.admin = founded.adminToken().token();
    this.service =
        k.keyroom.tokens().issueService(founded.tenant().id(), "platform", "test").token();
    this.user = k.keyroom.tenancy().createUser(founded.tenant().id(), "alice", Role.MEMBER, "test");
    this.userToken =
        k.keyroom.tokens().issueForUser(founded.tenant().id(), user.id(), "cli", "test").token();
  }

  public String secret(String kind, String name, String value) {
    return json(k.post(
            "/api/v1/secrets",
            admin,
            Json.MAPPER.valueToTree(Map.of("kind", kind, "name", name, "value", value)).toString()))
        .get("id")
        .asText();
  }

  String integration(String kind, String name, String value) {
    return json(k.post(
            "/api/v1/me/integrations",
            userToken,
            Json.MAPPER.valueToTree(Map.of("kind", kind, "name", name, "value", value)).toString()))
        .get("id")
        .asText();
  }

  /** A git integration bound to {@code hosts} (host[:port] as git sends them). */
  public String integration(String kind, String name, String value, List<String> hosts) {
    return json(k.post(
            "/api/v1/me/integrations",
            userToken,
            Json.MAPPER
                .valueToTree(Map.of("kind", kind, "name", name, "value", value, "hosts", hosts))
                .toString()))
        .get("id")
        .asText();
  }

  public String workroom(String body) {
    return json(k.post("/api/v1/workrooms", admin, body)).get("id").asText();
  }

  /**
   * The platform starts a session for the member, who has consented that such sessions in this
   * workroom may use their own integrations; returns {id, token}.
   */
  public String[] session(String workroom) {
    k.addMember(founded.tenant().id(), new dev.keyroom.session.WorkroomId(workroom), user.id());
    json(k.send("PUT", "/api/v1/me/consents/" + workroom, userToken, null));
    JsonNode n =
        json(
            k.post(
                "/api/v1/workrooms/" + workroom + "/sessions",
                service,
                "{\"userId\":\"" + user.id().value() + "\"}"));
    return new String[] {n.get("id").asText(), n.get("sessionToken").asText()};
  }

  /** A launcher run in progress: its captured output and its exit code when done. */
  record Running(
      CompletableFuture<Integer> exit, ByteArrayOutputStream out, ByteArrayOutputStream err) {
    String stdout() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String stderr() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  Running launch(
      String[] session,
      List<String> command,
      boolean endOnExit,
      Duration grace,
      Map<String, String> extraEnv) {
    return launch(session, command, endOnExit, grace, extraEnv, ProcessContainment.Mode.AUTO);
  }

  Running launch(
      String[] session,
      List<String> command,
      boolean endOnExit,
      Duration grace,
      Map<String, String> extraEnv,
      ProcessContainment.Mode containment) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Launcher.Options o =
        new Launcher.Options(
            k.url(), session[1], null, command, endOnExit, grace, extraEnv, containment);
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new Launcher(o, out, new PrintStream(err, true, StandardCharsets.UTF_8))
                    .run();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              }
            });
    return new Running(exit, out, err);
  }

  static JsonNode json(HttpResponse<String> res) {
    if (res.statusCode() / 100 != 2) {
      throw new AssertionError("HTTP " + res.statusCode() + ": " + res.body());
    }
    try {
      return Json.MAPPER.readTree(res.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
