package dev.keyroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.crypto.SecretValue;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.TestClock;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.usage.UsageRecord;
import dev.keyroom.usage.UsageUnits;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage names what it groups by: the workroom, the person, the key with its kind and the skill, in
 * the table, the chart and the per-request detail. A workroom or key deleted since reads "deleted
 * workroom (wr_…)" or "deleted key (cred_…)", never a bare id.
 */
class UsageNamesPageTest {
  private static final Pattern GROUP_LABEL =
      Pattern.compile("<td data-label=\"[^\"]+\"><strong>([^<]*)</strong></td>");

  @TempDir Path dir;

  @Test
  void everyGroupingShowsHumanNames_andDeletedOnesSayDeleted() throws Exception {
    TestClock clock = TestClock.standingStill();
    try (TestKeyroom k = TestKeyroom.sqlite(dir, clock)) {
      Tenancy.Founded acme = k.tenant("acme");
      TenantId t = acme.tenant().id();
      CredentialScope scope = CredentialScope.tenantSecrets(t);
      User bob = k.keyroom.tenancy().createUser(t, "bob", Role.MEMBER, "test");
      CredentialInfo prod =
          k.keyroom
              .vault()
              .create(
                  scope, "gemini", "prod", SecretValue.ofUtf8("gemini-prod-0123456789"), "test");
      CredentialInfo old =
          k.keyroom
              .vault()
              .create(scope, "openai", "old", SecretValue.ofUtf8("openai-old-0123456789"), "test");
      k.keyroom.skills().create(t, "writer", "", List.of("gemini", "openai"), "test");
      Workroom studio = k.keyroom.workrooms().create(t, "studio", List.of(), "test");
      Workroom lab = k.keyroom.workrooms().create(t, "lab", List.of(), "test");
      List<UsageRecord> uses = new ArrayList<>();
      uses.add(
          use(
              t,
              clock.millis(),
              studio.id().value(),
              bob.id().value(),
              "writer",
              "gemini",
              prod.id()));
      uses.add(
          use(
              t,
              clock.millis(),
              studio.id().value(),
              bob.id().value(),
              "writer",
              "gemini",
              prod.id()));
      uses.add(
          use(
              t,
              clock.millis(),
              lab.id().value(),
              acme.admin().id().value(),
              null,
              "openai",
              old.id()));
      uses.forEach(k.keyroom.usage()::record);
      awaitUsageRows(k, t, uses.size());
      k.keyroom.workrooms().delete(t, lab.id(), "test");
      k.keyroom.vault().delete(scope, new CredentialId(old.id()), "test");

      WebSession web = WebSession.admin(k, acme);
      String deletedRoom = "deleted workroom (" + lab.id().value() + ")";
      String deletedKey = "deleted key (" + old.id() + ")";
      assertThat(labels(web.page("/usage?period=24h&by=workroom", 200)))
          .containsExactly("studio", deletedRoom);
      assertThat(labels(web.page("/usage?period=24h&by=user", 200)))
          .containsExactly("bob", "admin");
      assertThat(labels(web.page("/usage?period=24h&by=credential", 200)))
          .containsExactly("prod (Google Gemini)", deletedKey);
      assertThat(labels(web.page("/usage?period=24h&by=skill", 200)))
          .containsExactly("writer", "(no skill named)");
      assertThat(labels(web.page("/usage?period=24h&by=provider", 200)))
          .containsExactly("Google Gemini", "OpenAI");

      // the per-request detail of the deleted workroom names it the same way, and its key and
      // person
      String detail = web.page("/usage?period=24h&by=workroom&detail=" + lab.id().value(), 200);
      String requests = detail.substring(detail.indexOf("id=\"requests-table\""));
      assertThat(requests)
          .contains(deletedRoom)
          .contains(deletedKey + " v1")
          .contains(">admin<")
          .contains("OpenAI");
      // no bare id is shown anywhere on a page (links aside) but inside its "deleted …" label
      for (String by : List.of("workroom", "user", "credential", "skill")) {
        String page = web.page("/usage?period=24h&by=" + by, 200).replaceAll("href=\"[^\"]*\"", "");
        assertThat(page.replace(deletedRoom, "").replace(deletedKey, ""))
            .as(by)
            .doesNotContain(studio.id().value())
            .doesNotContain(lab.id().value())
            .doesNotContain(prod.id())
            .doesNotContain(old.id())
            .doesNotContain(bob.id().value());
      }
    }
  }

  static UsageRecord use(
      TenantId t,
      long at,
      String workroom,
      String user,
      String skill,
      String provider,
      String credential) {
    return new UsageRecord(
        t,
        at,
        workroom,
        "ses_none",
        user,
        skill,
        provider,
        credential,
        1,
        "POST",
        "/v1/call",
        200,
        "ok",
        10,
        20,
        5,
        new UsageUnits(3L, 4L, 7L, null, null));
  }

  /** Waits (at most 10 s) until the usage recorder has written {@code n} rows of the tenant. */
  static void awaitUsageRows(TestKeyroom k, TenantId t, int n) {
    k.awaitUsageRows(t, n);
  }

  /** The group labels of the usage table, in order. */
  static List<String> labels(String html) {
    String table = html.substring(html.indexOf("id=\"usage-table\""));
    List<String> out = new ArrayList<>();
    Matcher m = GROUP_LABEL.matcher(table);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
