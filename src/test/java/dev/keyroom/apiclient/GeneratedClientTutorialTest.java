package dev.keyroom.apiclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyroom.apiclient.generated.ApiClient;
import dev.keyroom.apiclient.generated.ApiException;
import dev.keyroom.apiclient.generated.api.AuditApi;
import dev.keyroom.apiclient.generated.api.SecretsApi;
import dev.keyroom.apiclient.generated.api.SessionsApi;
import dev.keyroom.apiclient.generated.api.SkillsApi;
import dev.keyroom.apiclient.generated.api.TenancyApi;
import dev.keyroom.apiclient.generated.api.UsageApi;
import dev.keyroom.apiclient.generated.api.WorkroomsApi;
import dev.keyroom.apiclient.generated.model.AuditEvent;
import dev.keyroom.apiclient.generated.model.CreateCredential;
import dev.keyroom.apiclient.generated.model.CreateSkill;
import dev.keyroom.apiclient.generated.model.CreateUser;
import dev.keyroom.apiclient.generated.model.CreateWorkroom;
import dev.keyroom.apiclient.generated.model.Credential;
import dev.keyroom.apiclient.generated.model.MemberRef;
import dev.keyroom.apiclient.generated.model.SessionEnvironment;
import dev.keyroom.apiclient.generated.model.SessionVariable;
import dev.keyroom.apiclient.generated.model.Skill;
import dev.keyroom.apiclient.generated.model.StartedSession;
import dev.keyroom.apiclient.generated.model.Tool;
import dev.keyroom.apiclient.generated.model.ToolSpec;
import dev.keyroom.apiclient.generated.model.UpdateSkill;
import dev.keyroom.apiclient.generated.model.Usage;
import dev.keyroom.apiclient.generated.model.User;
import dev.keyroom.apiclient.generated.model.Workroom;
import dev.keyroom.apiclient.generated.model.WorkroomBody;
import dev.keyroom.apiclient.generated.model.WorkroomMemberName;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.usage.UsageMeterTest;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java client generated from the OpenAPI document (openapi-generator, java.net.http + Jackson,
 * into target/ at every build) performs the walk-through of docs/api.md against a running Keyroom:
 * an admin stores a Gemini key and creates a workroom with a member; the member starts a session;
 * the session fetches its environment and calls Gemini through the proxy with its placeholder;
 * usage and the audit log show the call; the session ends.
 */
class GeneratedClientTutorialTest {
  private static final String GEMINI_KEY = "canary-gemini-AIzaSy-0f9e8d7c6b5a4f3e2d1c";

  @TempDir Path dir;

  @Test
  void theWalkThroughRunsOnTheGeneratedClient() throws Exception {
    try (FakeUpstream gemini =
            new FakeUpstream()
                .on(
                    "/v1beta/models",
                    (ex, seen) -> FakeUpstream.json(ex, 200, UsageMeterTest.GEMINI));
        TestKeyroom k =
            TestKeyroom.start(
                TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
                    .withUpstream("gemini", gemini.url()),
                c -> c)) {
      Tenancy.Founded founded = k.tenant("acme");
      ApiClient asAdmin = client(k, founded.adminToken().token());

      // The admin stores the key (the value goes in the body, once; it never comes back) ...
      Credential key =
          new SecretsApi(asAdmin)
              .createSecret(
                  new CreateCredential().kind("gemini").name("gemini-prod").value(GEMINI_KEY));
      assertThat(key.getId()).startsWith("cred_");
      assertThat(key.getHint()).isEqualTo("…" + GEMINI_KEY.substring(GEMINI_KEY.length() - 4));
      // ... adds a member and a workroom that uses the key, with the member in it.
      User mia = new TenancyApi(asAdmin).createUser(new CreateUser().name("mia"));
      Workroom research =
          new WorkroomsApi(asAdmin)
              .createWorkroom(
                  new CreateWorkroom()
                      .name("research")
                      .tools(List.of(new ToolSpec().kind("gemini").secretId(key.getId())))
                      .members(List.of(new MemberRef().userId(mia.getId()))));
      assertThat(research.getMembers()).extracting(m -> m.getName()).containsExactly("mia");

      // Only members start sessions: mia, with her own API token (created after she signs in).
      String miaToken =
          k.keyroom
              .tokens()
              .issueForUser(founded.tenant().id(), UserId.parse(mia.getId()), "laptop", "test")
              .token();
      SessionsApi asMia = new SessionsApi(client(k, miaToken));
      StartedSession session = asMia.startSession(research.getId(), null);
      assertThat(session.getUserId()).isEqualTo(mia.getId());
      assertThat(session.getSessionToken()).startsWith("kr_sess_");
      // The admin manages the workroom but is no member of it: no session for them.
      assertThatThrownBy(() -> new SessionsApi(asAdmin).startSession(research.getId(), null))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));

      // The session fetches its environment with its own token: a placeholder and a base URL, no
      // key.
      SessionsApi asSession = new SessionsApi(client(k, session.getSessionToken()));
      SessionEnvironment env = asSession.getSessionEnvironment(session.getId(), null);
      String placeholder = variable(env, "GEMINI_API_KEY");
      String baseUrl = variable(env, "GOOGLE_GEMINI_BASE_URL");
      assertThat(placeholder).startsWith("kr_ph_gemini_");
      assertThat(baseUrl).isEqualTo(k.url() + "/proxy/gemini");
      assertThat(env.toString()).doesNotContain(GEMINI_KEY);

      // Gemini through the proxy with the placeholder: the upstream gets the real key, the caller
      // never does.
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(baseUrl + "/v1beta/models/gemini-2.5-flash:generateContent"))
                      .header("x-goog-api-key", placeholder)
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"contents\":[{\"parts\":[{\"text\":\"Hello\"}]}]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(gemini.last().header("x-goog-api-key")).isEqualTo(GEMINI_KEY);
      assertThat(answer.body() + answer.headers().map()).doesNotContain(GEMINI_KEY);

      // Usage: the member sees her own call, with Gemini's token counts (recorded off the request
      // path, a moment after the answer).
      k.awaitUsageRows(null, 1);
      Usage usage = new UsageApi(client(k, miaToken)).getUsage(null, null, "workroom", null, null);
      assertThat(usage.getScope()).isEqualTo(Usage.ScopeEnum.OWN);
      assertThat(usage.getRows())
          .singleElement()
          .satisfies(
              row -> {
                assertThat(row.getKey()).isEqualTo(research.getId());
                assertThat(row.getRequests()).isEqualTo(1);
                assertThat(row.getTotalTokens()).isEqualTo(15);
              });

      // The member ends the session; its token and placeholder stop working at once.
      asMia.endSession(session.getId());
      assertThatThrownBy(() -> asSession.getSessionEnvironment(session.getId(), null))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      assertThat(asMia.getSession(session.getId()).getEndedAt()).isNotNull();

      // The audit log tells the session's story, and its chain is intact.
      AuditApi audit = new AuditApi(asAdmin);
      List<String> actions =
          audit
              .listAuditEvents(null, null, null, session.getId(), null, null, null, null, null, 100)
              .getEvents()
              .stream()
              .map(AuditEvent::getAction)
              .toList();
      assertThat(actions)
          .contains("session.start", "session.environment", "proxy.use", "session.end");
      assertThat(audit.verifyAuditChain().getIntact()).isTrue();
    }
  }

  /**
   * A change sends only what the caller set: a generated model leaves unset lists out, so nothing
   * is cleared by accident.
   */
  @Test
  void aChangeThroughTheGeneratedClientKeepsWhatItDoesNotSet() throws Exception {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      Tenancy.Founded founded = k.tenant("acme");
      ApiClient asAdmin = client(k, founded.adminToken().token());
      Credential key =
          new SecretsApi(asAdmin)
              .createSecret(new CreateCredential().kind("gemini").name("prod").value(GEMINI_KEY));
      SkillsApi skills = new SkillsApi(asAdmin);
      Skill research =
          skills.createSkill(new CreateSkill().name("research").kinds(List.of("gemini")));
      assertThat(
              skills
                  .updateSkill(research.getId(), new UpdateSkill().description("reads papers"))
                  .getKinds())
          .containsExactly("gemini");
      WorkroomsApi workrooms = new WorkroomsApi(asAdmin);
      Workroom studio =
          workrooms.createWorkroom(
              new CreateWorkroom()
                  .name("studio")
                  .tools(List.of(new ToolSpec().kind("gemini").secretId(key.getId())))
                  .members(List.of(new MemberRef().name("admin"))));
      Workroom renamed =
          workrooms.updateWorkroom(studio.getId(), new WorkroomBody().name("studio-2"));
      assertThat(renamed.getName()).isEqualTo("studio-2");
      assertThat(renamed.getTools()).extracting(Tool::getKind).containsExactly("gemini");
      assertThat(renamed.getMembers())
          .extracting(WorkroomMemberName::getName)
          .containsExactly("admin");
    }
  }

  /**
   * Every operation becomes a method named exactly after its operationId, on the API class of its
   * tag.
   */
  @Test
  void generatedMethodsAreNamedAfterTheOperationIds() throws Exception {
    OpenApiContract contract = OpenApiContract.load();
    Set<String> missing = new TreeSet<>();
    for (OpenApiContract.Operation op : contract.operations()) {
      String tag = op.node().path("tags").path(0).asText();
      Class<?> api =
          Class.forName(
              "dev.keyroom.apiclient.generated.api."
                  + Character.toUpperCase(tag.charAt(0))
                  + tag.substring(1)
                  + "Api");
      Set<String> methods =
          Arrays.stream(api.getMethods())
              .filter(m -> Modifier.isPublic(m.getModifiers()))
              .map(Method::getName)
              .collect(Collectors.toSet());
      if (!methods.contains(op.id())) {
        missing.add(api.getSimpleName() + "." + op.id());
      }
    }
    assertThat(missing).as("operations the generated client names differently").isEmpty();
  }

  /** A client for one bearer token; it refuses answer fields the document does not list. */
  private static ApiClient client(TestKeyroom k, String token) {
    ObjectMapper strict =
        ApiClient.createDefaultObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    ApiClient client =
        new ApiClient(
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)), strict, k.url());
    client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));
    return client;
  }

  private static String variable(SessionEnvironment env, String name) {
    return env.getVariables().stream()
        .filter(v -> v.getName().equals(name))
        .map(SessionVariable::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " is not in the session environment"));
  }
}
