package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.web.Passwords;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One bad client behind a shared egress (every request here comes from 127.0.0.1) fails to
 * authenticate again and again. Its failures are limited (429 once over the limit, for every token
 * kind); everybody else's valid credentials from the same address keep working.
 */
class FailedAuthenticationLimitsOnlyFailuresTest {
  static final String BAD_USER_TOKEN = "kr_u_" + "A".repeat(43);
  static final String BAD_SESSION_TOKEN = "kr_sess_" + "A".repeat(43);
  static final String PASSWORD = "a long enough passphrase";

  @TempDir Path dir;

  @Test
  void validApiTokens_passAfterManyFailuresFromTheSameAddress_whileFailuresGet429() {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      Tenancy.Founded acme = k.tenant("acme");
      String admin = acme.adminToken().token();
      String service =
          k.keyroom.tokens().issueService(acme.tenant().id(), "platform", "test").token();
      for (int i = 0; i < 25; i++) {
        assertThat(k.get("/api/v1/me", BAD_USER_TOKEN).statusCode()).isIn(401, 429);
      }
      assertThat(k.get("/api/v1/me", BAD_USER_TOKEN).statusCode())
          .as("further failures are limited")
          .isEqualTo(429);
      assertThat(k.get("/api/v1/me", admin).statusCode())
          .as("the admin's valid token")
          .isEqualTo(200);
      assertThat(k.get("/api/v1/service-tokens", service).statusCode())
          .as("the service token")
          .isIn(200, 403);
      assertThat(k.get("/api/v1/workrooms", service).statusCode())
          .as("the service token")
          .isEqualTo(200);
      assertThat(
              k.keyroom
                  .metrics()
                  .value("keyroom_auth_failures_total", "kind", "api_token", "reason", "rejected"))
          .isGreaterThanOrEqualTo(25);
    }
  }

  @Test
  void sessionTokenFailures_countAndAreLimitedToo() {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      for (int i = 0; i < 25; i++) {
        k.get("/api/v1/session", BAD_SESSION_TOKEN);
      }
      HttpResponse<String> res = k.get("/api/v1/session", BAD_SESSION_TOKEN);
      assertThat(res.statusCode()).as(res.body()).isEqualTo(429);
      assertThat(res.headers().firstValue("retry-after")).isPresent();
      assertThat(
              k.keyroom
                  .metrics()
                  .value("keyroom_auth_failures_total", "kind", "session", "reason", "rejected"))
          .isGreaterThanOrEqualTo(25);
    }
  }

  @Test
  void placeholderFailures_countAndAreLimitedToo() {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      String path = "/proxy/openai/v1/models";
      for (int i = 0; i < 25; i++) {
        k.get(path, "kr_ph_openai_" + "A".repeat(43));
      }
      assertThat(k.get(path, "kr_ph_openai_" + "A".repeat(43)).statusCode()).isEqualTo(429);
      assertThat(
              k.keyroom
                  .metrics()
                  .value(
                      "keyroom_auth_failures_total", "kind", "placeholder", "reason", "rejected"))
          .isGreaterThanOrEqualTo(25);
    }
  }

  @Test
  void webSignIn_rightPasswordPassesAfterManyFailuresFromTheSameAddress() {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      Tenancy.Founded acme = k.tenant("acme");
      new Passwords(k.keyroom.db(), k.keyroom.tenancy(), k.keyroom.audit(), k.keyroom.clock())
          .set(acme.tenant().id(), acme.admin().id(), PASSWORD, false, "test");
      WebSignInForm form = new WebSignInForm(k);
      // Failures spread over many (unknown) accounts, so only the per-address limit is reached.
      for (int i = 0; i < 22; i++) {
        assertThat(form.post("acme", "nobody-" + i, "wrong password " + i).statusCode())
            .isIn(401, 429);
      }
      assertThat(form.post("acme", "nobody-x", "wrong password").statusCode())
          .as("further failures")
          .isEqualTo(429);
      HttpResponse<String> ok = form.post("acme", "admin", PASSWORD);
      assertThat(ok.statusCode())
          .as("the right password from the same address: %s", ok.body())
          .isEqualTo(302);
    }
  }
}
