package dev.keyroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.crypto.SecretValue;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.testing.TestClock;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config → Secrets says the same thing in every column of a row: a key used two minutes ago is
 * never also "not used yet", a revoked key says it is revoked and when it was last used before
 * that, and a key nobody used says "never used".
 */
class SecretStatusTextTest {
  @TempDir Path dir;

  @Test
  void statusAndLastUseAgreeForActiveRevokedAndNeverUsedSecrets() {
    TestClock clock = TestClock.standingStill();
    try (TestKeyroom k = TestKeyroom.sqlite(dir, clock)) {
      Tenancy.Founded acme = k.tenant("acme");
      TenantId t = acme.tenant().id();
      CredentialScope scope = CredentialScope.tenantSecrets(t);
      CredentialInfo used =
          k.keyroom
              .vault()
              .create(
                  scope,
                  "gemini",
                  "used-then-revoked",
                  SecretValue.ofUtf8("gemini-one-0123456789"),
                  "test");
      CredentialInfo active =
          k.keyroom
              .vault()
              .create(
                  scope, "gemini", "in-use", SecretValue.ofUtf8("gemini-two-0123456789"), "test");
      CredentialInfo never =
          k.keyroom
              .vault()
              .create(scope, "env", "NEVER_USED", SecretValue.ofUtf8("never-used-value"), "test");
      Workroom w =
          k.keyroom
              .workrooms()
              .create(
                  t,
                  "studio",
                  List.of(new Workroom.Tool("gemini", new CredentialId(used.id()))),
                  "test");
      k.keyroom
          .vault()
          .recordUse(
              t,
              new CredentialId(used.id()),
              new CredentialInfo.LastUsed(
                  clock.millis(), null, w.id().value(), null, acme.admin().id().value()));
      k.keyroom
          .vault()
          .recordUse(
              t,
              new CredentialId(active.id()),
              new CredentialInfo.LastUsed(
                  clock.millis(), null, w.id().value(), null, acme.admin().id().value()));
      clock.advance(Duration.ofMinutes(2));
      // the workroom moves to the other key, then the first one is revoked
      k.keyroom
          .workrooms()
          .setTools(
              t,
              w.id(),
              List.of(new Workroom.Tool("gemini", new CredentialId(active.id()))),
              "test");
      k.keyroom.vault().revoke(scope, new CredentialId(used.id()), null, "test");

      String page = WebSession.admin(k, acme).page("/config/secrets", 200);

      String revoked = row(page, used.id());
      assertThat(cell(revoked, "Last used")).contains("2 min ago").contains("studio");
      assertThat(revoked)
          .as("a key used 2 min ago")
          .doesNotContain("not used yet")
          .doesNotContain("never");
      assertThat(cell(revoked, "Status")).contains("revoked");
      assertThat(cell(revoked, "Last used")).contains("before it was revoked");

      String inUse = row(page, active.id());
      assertThat(cell(inUse, "Status")).contains("active");
      assertThat(cell(inUse, "Connected to")).contains("studio");
      assertThat(cell(inUse, "Last used")).contains("2 min ago").doesNotContain("revoked");
      assertThat(inUse).doesNotContain("not used yet").doesNotContain("never");

      String unused = row(page, never.id());
      assertThat(cell(unused, "Status")).contains("active");
      assertThat(cell(unused, "Last used")).contains("never used").doesNotContain("ago");
    }
  }

  /** The table row of one secret. */
  static String row(String page, String id) {
    Matcher m =
        Pattern.compile("<tr id=\"secret-" + id + "\">(.*?)</tr>", Pattern.DOTALL).matcher(page);
    assertThat(m.find()).as("a row for " + id).isTrue();
    return m.group(1);
  }

  /** The text of the cell with this label in a row (tags removed). */
  static String cell(String row, String label) {
    Matcher m =
        Pattern.compile("<td data-label=\"" + label + "\"[^>]*>(.*?)</td>", Pattern.DOTALL)
            .matcher(row);
    assertThat(m.find()).as("a " + label + " cell in\n" + row).isTrue();
    return m.group(1).replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ").trim();
  }
}
