package dev.keyroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.app.Keyroom;
import dev.keyroom.crypto.LocalKeysetMasterKey;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.tenancy.Principal;
import dev.keyroom.tenancy.Tenant;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyroom admin …} in process, on a real store in a temp dir: output and exit codes. */
class AdminCliTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--data-dir", dir.toString()));
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.run(all.toArray(String[]::new));
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  Keyroom open() {
    return Keyroom.open(TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir)));
  }

  static String token(String output, String prefix) {
    Matcher m = Pattern.compile(Pattern.quote(prefix) + "[A-Za-z0-9_-]{43}").matcher(output);
    assertThat(m.find()).as(output).isTrue();
    return m.group();
  }

  @Test
  void createTenant_printsTheAdminTokenOnce_andItWorks() {
    Run r = run("admin", "create-tenant", "acme", "--create-store");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("tenant acme").contains("shown once");
    String token = token(r.out(), "kr_u_");
    try (Keyroom k = open()) {
      Principal p = k.tokens().authenticate(token);
      assertThat(p.isAdmin()).isTrue();
      int plaintextRows =
          k.db()
              .jdbi()
              .withHandle(
                  h ->
                      h.createQuery("SELECT COUNT(*) FROM api_tokens WHERE token_hash = :t")
                          .bind("t", token)
                          .mapTo(Integer.class)
                          .one());
      assertThat(plaintextRows).isZero();
    }
    Run again = run("admin", "create-tenant", "acme", "--create-store");
    assertThat(again.exit()).isEqualTo(Main.FAILED);
    assertThat(again.err()).contains("already exists");
    Run bad = run("admin", "create-tenant", "Not A Name", "--create-store");
    assertThat(bad.exit()).isEqualTo(Main.FAILED);
    assertThat(bad.err()).contains("tenant name must be");
  }

  @Test
  void setPassword_endsTheUsersWebSignIns() {
    run("admin", "create-tenant", "acme", "--create-store");
    try (Keyroom k = open()) {
      var t = k.tenancy().requireTenantByName("acme");
      var admin = k.tenancy().users(t.id()).get(0);
      k.browserSessions().open(t.id(), admin.id(), "password");
    }
    dev.keyroom.testing.CliProcess.Result r =
        dev.keyroom.testing.CliProcess.run(
            java.util.Map.of("KEYROOM_DATA_DIR", dir.toString()),
            "a new long passphrase 1\n".getBytes(StandardCharsets.UTF_8),
            "admin",
            "set-password",
            "--tenant",
            "acme",
            "--user",
            "admin");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("1 web sign-in(s) ended");
    try (Keyroom k = open()) {
      int left =
          k.db()
              .jdbi()
              .withHandle(
                  h ->
                      h.createQuery("SELECT COUNT(*) FROM web_sessions")
                          .mapTo(Integer.class)
                          .one());
      assertThat(left).isZero();
    }
  }

  @Test
  void createServiceToken_printsAKrSToken() {
    run("admin", "create-tenant", "acme", "--create-store");
    Run r = run("admin", "create-service-token", "--tenant", "acme");
    assertThat(r.exit()).as(r.err()).isZero();
    String token = token(r.out(), "kr_s_");
    try (Keyroom k = open()) {
      assertThat(k.tokens().authenticate(token).service()).isTrue();
    }
    Run unknown = run("admin", "create-service-token", "--tenant", "nope");
    assertThat(unknown.exit()).isEqualTo(Main.FAILED);
    assertThat(unknown.err()).contains("no tenant named 'nope'");
    assertThat(run("admin", "create-service-token").exit()).isEqualTo(Main.USAGE);
  }

  @Test
  void rotateMasterKey_rewrapsAndKeepsValuesReadable() throws Exception {
    run("admin", "create-tenant", "acme", "--create-store");
    String id = storeSecret("rotate-master-value-0123");
    Run r = run("admin", "rotate-master-key");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("master key rotated").contains("2 key(s)").contains("1 tenant(s)");
    assertThat(Files.readString(dir.resolve("master-keyset.json"))).contains("\"keyId\"");
    assertThat(resolve(id)).isEqualTo("rotate-master-value-0123");
  }

  @Test
  void rotateTenantKey_withReEncrypt_movesValuesToTheNewKey() {
    run("admin", "create-tenant", "acme", "--create-store");
    String id = storeSecret("rotate-tenant-value-0123");
    String before = ciphertext(id);
    Run r = run("admin", "rotate-tenant-key", "--tenant", "acme", "--re-encrypt");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("new primary data key")
        .contains("re-encrypted 1 stored value version(s)");
    assertThat(ciphertext(id).substring(0, 6)).isNotEqualTo(before.substring(0, 6));
    assertThat(resolve(id)).isEqualTo("rotate-tenant-value-0123");
    Run plain = run("admin", "rotate-tenant-key", "--tenant", "acme");
    assertThat(plain.exit()).isZero();
    assertThat(plain.out()).doesNotContain("re-encrypted");
    assertThat(resolve(id)).isEqualTo("rotate-tenant-value-0123");
  }

  @Test
  void verifyAudit_exits0WhenIntact_and3WhenBroken() {
    run("admin", "create-tenant", "acme", "--create-store");
    run("admin", "create-tenant", "globex", "--create-store");
    Run ok = run("admin", "verify-audit");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("acme: intact").contains("globex: intact");
    try (Keyroom k = open()) {
      k.db()
          .jdbi()
          .useHandle(
              h ->
                  h.createUpdate(
                          "UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 2"
                              + " AND tenant_id = (SELECT id FROM tenants WHERE name = 'acme')")
                      .execute());
    }
    Run broken = run("admin", "verify-audit");
    assertThat(broken.exit()).isEqualTo(Main.AUDIT_BROKEN);
    assertThat(broken.out())
        .contains("acme: BROKEN at row 2")
        .contains("edited")
        .contains("globex: intact");
    assertThat(run("admin", "verify-audit", "--tenant", "globex").exit()).isZero();
  }

  @Test
  void deleteTenant_needsConfirmation_andShredsTheKeys() {
    run("admin", "create-tenant", "acme", "--create-store");
    Run unconfirmed = run("admin", "delete-tenant", "acme");
    assertThat(unconfirmed.exit()).isEqualTo(Main.USAGE);
    assertThat(unconfirmed.err()).contains("--yes");
    Run r = run("admin", "delete-tenant", "acme", "--yes");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("data keys are destroyed");
    try (Keyroom k = open()) {
      assertThat(k.tenancy().findTenantByName("acme")).isEmpty();
      int keysets =
          k.db()
              .jdbi()
              .withHandle(
                  h ->
                      h.createQuery("SELECT COUNT(*) FROM tenant_keys").mapTo(Integer.class).one());
      assertThat(keysets).isZero();
    }
    assertThat(run("admin", "delete-tenant", "acme", "--yes").exit()).isEqualTo(Main.FAILED);
  }

  @Test
  void wrongMasterKey_exits4SayingSo() {
    run("admin", "create-tenant", "acme", "--create-store");
    Path other = dir.resolve("elsewhere/master-keyset.json");
    LocalKeysetMasterKey.create(other);
    Run r = run("admin", "verify-audit", "--master-key", other.toString());
    assertThat(r.exit()).isEqualTo(Main.KEY_PROBLEM);
    assertThat(r.err()).contains("wrong master key");
  }

  @Test
  void usageErrors_exit2() {
    assertThat(run("admin", "no-such-command").exit()).isEqualTo(Main.USAGE);
    assertThat(run("admin", "create-tenant").exit()).isEqualTo(Main.USAGE);
  }

  private String storeSecret(String value) {
    try (Keyroom k = open()) {
      Tenant t = k.tenancy().requireTenantByName("acme");
      return k.vault()
          .create(
              CredentialScope.tenantSecrets(t.id()),
              "gemini",
              "prod",
              SecretValue.ofUtf8(value),
              "test")
          .id();
    }
  }

  private String resolve(String id) {
    try (Keyroom k = open()) {
      Tenant t = k.tenancy().requireTenantByName("acme");
      return k.vault()
          .resolve(CredentialScope.tenantSecrets(t.id()), new CredentialId(id), null)
          .value()
          .revealUtf8();
    }
  }

  private String ciphertext(String id) {
    try (Keyroom k = open()) {
      return k.db()
          .jdbi()
          .withHandle(
              h ->
                  h.createQuery(
                          "SELECT ciphertext FROM credential_versions WHERE credential_id = :id")
                      .bind("id", id)
                      .mapTo(String.class)
                      .one());
    }
  }
}
