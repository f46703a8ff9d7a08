package dev.keyroom.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values the web UI shows once: stored encrypted, bound to one browser session, returned once, gone
 * with the browser session and after their time. On SQLite here; on PostgreSQL in {@link
 * PostgresRevealsTest}.
 */
class RevealsTest {
  static final String CANARY = "kr_u_REVEALcanary0123456789abcdefghijklmnopqrstu";

  @TempDir Path dir;
  TestKeyroom k;
  Tenancy.Founded acme;
  User alice;
  Reveals reveals;
  String browser;
  String cookie;

  protected TestKeyroom start(Path dir) {
    return TestKeyroom.sqlite(dir);
  }

  @BeforeEach
  void open() {
    k = start(dir);
    acme = k.tenant("acme");
    alice = k.keyroom.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    reveals = new Reveals(k.keyroom.db(), k.keyroom.keys(), k.keyroom.clock());
    cookie = k.keyroom.browserSessions().open(acme.tenant().id(), alice.id(), "password");
    browser = Reveals.browserSession(cookie);
  }

  @AfterEach
  void close() {
    k.close();
  }

  private List<Map<String, Object>> rows() {
    return k.keyroom
        .db()
        .jdbi()
        .withHandle(h -> h.createQuery("SELECT * FROM web_reveals").mapToMap().list());
  }

  @Test
  void aValueIsStoredEncrypted_andShownExactlyOnce() {
    reveals.keep(browser, acme.tenant().id(), Reveals.Kind.API_TOKEN, "tok_x", CANARY);
    assertThat(rows()).hasSize(1);
    assertThat(rows().toString())
        .doesNotContain(CANARY)
        .doesNotContain(CANARY.substring(5, 25))
        .doesNotContain(cookie);

    var shown = reveals.take(browser, acme.tenant().id(), Reveals.Kind.API_TOKEN, "tok_x");
    assertThat(shown).map(Reveals.Revealed::value).contains(CANARY);
    assertThat(shown.get().toString()).doesNotContain(CANARY);
    assertThat(reveals.take(browser, acme.tenant().id(), Reveals.Kind.API_TOKEN, "tok_x"))
        .isEmpty();
    assertThat(rows()).isEmpty();
  }

  @Test
  void anotherBrowserSession_kindOrSubject_getsNothing_andLeavesTheValueInPlace() {
    String other =
        Reveals.browserSession(
            k.keyroom.browserSessions().open(acme.tenant().id(), alice.id(), "password"));
    reveals.keep(browser, acme.tenant().id(), Reveals.Kind.SESSION_TOKEN, "ses_a", CANARY);
    assertThat(reveals.take(other, acme.tenant().id(), Reveals.Kind.SESSION_TOKEN, "ses_a"))
        .isEmpty();
    assertThat(reveals.take(browser, acme.tenant().id(), Reveals.Kind.API_TOKEN, "ses_a"))
        .isEmpty();
    assertThat(reveals.take(browser, acme.tenant().id(), Reveals.Kind.SESSION_TOKEN, "ses_b"))
        .isEmpty();
    Tenancy.Founded globex = k.tenant("globex");
    assertThat(reveals.take(browser, globex.tenant().id(), Reveals.Kind.SESSION_TOKEN, "ses_a"))
        .isEmpty();
    assertThat(reveals.take(browser, acme.tenant().id(), Reveals.Kind.SESSION_TOKEN, "ses_a"))
        .map(Reveals.Revealed::value)
        .contains(CANARY);
  }

  @Test
  void signingOutOrBeingDisabled_dropsWhatWasNotShownYet() {
    reveals.keep(browser, acme.tenant().id(), Reveals.Kind.ONE_TIME_PASSWORD, "usr_a", CANARY);
    k.keyroom.browserSessions().close(cookie);
    assertThat(rows()).isEmpty();

    String again = k.keyroom.browserSessions().open(acme.tenant().id(), alice.id(), "password");
    reveals.keep(
        Reveals.browserSession(again),
        acme.tenant().id(),
        Reveals.Kind.ONE_TIME_PASSWORD,
        "usr_a",
        CANARY);
    k.keyroom.tenancy().disable(acme.tenant().id(), alice.id(), "test");
    assertThat(rows()).isEmpty();
  }

  @Test
  void aValueNobodyFetchedExpires() {
    Instant t0 = Instant.now();
    Reveals then = new Reveals(k.keyroom.db(), k.keyroom.keys(), Clock.fixed(t0, ZoneOffset.UTC));
    Reveals later =
        new Reveals(
            k.keyroom.db(), k.keyroom.keys(), Clock.fixed(t0.plus(Reveals.TTL), ZoneOffset.UTC));
    then.keep(browser, acme.tenant().id(), Reveals.Kind.API_TOKEN, "tok_x", CANARY);
    assertThat(later.take(browser, acme.tenant().id(), Reveals.Kind.API_TOKEN, "tok_x")).isEmpty();
    // The next value kept anywhere clears the expired rows.
    then.keep(browser, acme.tenant().id(), Reveals.Kind.API_TOKEN, "tok_y", CANARY);
    later.keep(browser, acme.tenant().id(), Reveals.Kind.API_TOKEN, "tok_z", CANARY);
    assertThat(rows()).extracting(r -> r.get("subject_id")).containsExactly("tok_z");
  }
}
