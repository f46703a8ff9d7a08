package dev.keyroom.apiclient;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The contract check itself: it must notice every way an answer can stray from the document. */
class OpenApiContractTest {
  private static final String USER =
      "{\"id\":\"usr_a\",\"name\":\"mia\",\"role\":\"member\",\"status\":\"active\","
          + "\"createdAt\":1}";
  private final OpenApiContract contract = OpenApiContract.load();
  private final OpenApiContract.Operation getUser =
      contract.operation("GET", "/api/v1/users/usr_a").orElseThrow();

  @Test
  void aLiteralSegmentBeatsAPathParameter() {
    assertThat(
            contract
                .operation("GET", "/api/v1/me/integrations/oauth/connections")
                .orElseThrow()
                .id())
        .isEqualTo("listOAuthConnections");
    assertThat(contract.operation("GET", "/api/v1/me/integrations/cred_x").orElseThrow().id())
        .isEqualTo("getIntegration");
    assertThat(contract.operation("GET", "/api/v1/usage?groupBy=skill").orElseThrow().id())
        .isEqualTo("getUsage");
    assertThat(contract.operation("GET", "/api/v1/nothing")).isEmpty();
  }

  @Test
  void aMatchingAnswerHasNoViolations() {
    assertThat(contract.violations(getUser, 200, "application/json", USER)).isEmpty();
    assertThat(
            contract.violations(
                getUser,
                404,
                "application/json",
                "{\"error\":\"not_found\",\"message\":\"no user with that id\"}"))
        .isEmpty();
  }

  @Test
  void aMissingRequiredField_anUndocumentedField_aWrongNullAndAWrongEnumAreViolations() {
    assertThat(
            contract.violations(
                getUser, 200, "application/json", USER.replace(",\"status\":\"active\"", "")))
        .singleElement()
        .asString()
        .contains("status");
    assertThat(
            contract.violations(
                getUser, 200, "application/json", USER.replace("}", ",\"password\":\"x\"}")))
        .singleElement()
        .asString()
        .contains("password");
    assertThat(
            contract.violations(getUser, 200, "application/json", USER.replace("\"mia\"", "null")))
        .singleElement()
        .asString()
        .contains("name");
    assertThat(
            contract.violations(
                getUser, 200, "application/json", USER.replace("\"member\"", "\"owner\"")))
        .singleElement()
        .asString()
        .contains("role");
  }

  @Test
  void anUndocumentedStatus_contentType_orBodyIsAViolation() {
    assertThat(contract.violations(getUser, 418, "application/json", USER))
        .singleElement()
        .asString()
        .contains("418");
    assertThat(contract.violations(getUser, 200, "text/html", "<p>"))
        .singleElement()
        .asString()
        .contains("text/html");
    OpenApiContract.Operation delete =
        contract.operation("DELETE", "/api/v1/secrets/cred_x").orElseThrow();
    assertThat(contract.violations(delete, 204, null, "")).isEmpty();
    assertThat(contract.violations(delete, 204, "application/json", "{}"))
        .singleElement()
        .asString()
        .contains("without a body");
  }
}
