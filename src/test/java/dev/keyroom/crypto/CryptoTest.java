package dev.keyroom.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyroom.app.Config;
import dev.keyroom.app.Keyroom;
import dev.keyroom.catalog.Home;
import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.User;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialAad;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Tink keys on a real SQLite store: the crypto promises of the vault. */
class CryptoTest {
  private static final String CANARY = "canary-crypto-7f3a9b2c4d5e6f70";

  @TempDir Path dir;
  private Keyroom k;
  private Vault vault;
  private Tenancy.Founded acme;
  private CredentialScope secrets;

  @BeforeEach
  void start() {
    k = Keyroom.open(config());
    vault = k.vault();
    acme = k.tenancy().createTenant("acme", "admin", "test");
    secrets = CredentialScope.tenantSecrets(acme.tenant().id());
  }

  @AfterEach
  void stop() {
    k.close();
  }

  private Config config() {
    return TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir));
  }

  private CredentialInfo secret(CredentialScope scope, String kind, String name, String value) {
    return vault.create(scope, kind, name, SecretValue.ofUtf8(value), "test");
  }

  private String ciphertext(String credentialId, int version) {
    return k.db()
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT ciphertext FROM credential_versions WHERE credential_id = :id AND version = :v")
                    .bind("id", credentialId)
                    .bind("v", version)
                    .mapTo(String.class)
                    .one());
  }

  private void setCiphertext(String credentialId, int version, String ciphertext) {
    int n =
        k.db()
            .jdbi()
            .withHandle(
                h ->
                    h.createUpdate(
                            "UPDATE credential_versions SET ciphertext = :c WHERE credential_id = :id AND version = :v")
                        .bind("c", ciphertext)
                        .bind("id", credentialId)
                        .bind("v", version)
                        .execute());
    assertThat(n).isEqualTo(1);
  }

  private static byte[] aad(TenantId t, CredentialInfo c) {
    return new CredentialAad(t, Home.TENANT, null, new CredentialId(c.id()), c.version(), c.kind())
        .encode();
  }

  @Test
  void value_roundTripsThroughEncryption_andIsNotStoredInPlaintext() {
    CredentialInfo c = secret(secrets, "gemini", "prod", CANARY);
    assertThat(vault.resolve(secrets, new CredentialId(c.id()), null).value().revealUtf8())
        .isEqualTo(CANARY);
    byte[] stored = Base64.getDecoder().decode(ciphertext(c.id(), 1));
    assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(CANARY);
    assertThat(stored.length).isGreaterThan(CANARY.length() + 16);
  }

  @Test
  void decrypt_withAnyCiphertextByteFlipped_fails() {
    CredentialInfo c = secret(secrets, "gemini", "prod", CANARY);
    byte[] ct = Base64.getDecoder().decode(ciphertext(c.id(), 1));
    byte[] aad = aad(acme.tenant().id(), c);
    assertThat(k.keys().decrypt(acme.tenant().id(), ct, aad, "x")).asString().isEqualTo(CANARY);
    for (int i = 0; i < ct.length; i++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] flipped = ct.clone();
        flipped[i] ^= (byte) bit;
        assertThatThrownBy(
                () -> k.keys().decrypt(acme.tenant().id(), flipped, aad, "credential " + c.id()))
            .as("ciphertext byte %d bit %x", i, bit)
            .isInstanceOf(DecryptionFailedException.class)
            .hasMessageContaining("decryption failed")
            .hasMessageNotContaining(CANARY);
      }
    }
  }

  @Test
  void decrypt_withAnyAssociatedDataByteFlipped_fails() {
    CredentialInfo c = secret(secrets, "gemini", "prod", CANARY);
    byte[] ct = Base64.getDecoder().decode(ciphertext(c.id(), 1));
    byte[] aad = aad(acme.tenant().id(), c);
    for (int i = 0; i < aad.length; i++) {
      byte[] flipped = aad.clone();
      flipped[i] ^= 0x01;
      assertThatThrownBy(
              () -> k.keys().decrypt(acme.tenant().id(), ct, flipped, "credential " + c.id()))
          .as("associated data byte %d", i)
          .isInstanceOf(DecryptionFailedException.class)
          .hasMessageNotContaining(CANARY);
    }
    // truncated and extended associated data fail too
    assertThatThrownBy(
            () ->
                k.keys()
                    .decrypt(
                        acme.tenant().id(), ct, java.util.Arrays.copyOf(aad, aad.length - 1), "x"))
        .isInstanceOf(DecryptionFailedException.class);
    assertThatThrownBy(
            () ->
                k.keys()
                    .decrypt(
                        acme.tenant().id(), ct, java.util.Arrays.copyOf(aad, aad.length + 1), "x"))
        .isInstanceOf(DecryptionFailedException.class);
  }

  @Test
  void associatedData_differsInEveryBoundField() {
    TenantId t = acme.tenant().id();
    CredentialId id = CredentialId.generate();
    dev.keyroom.tenancy.UserId u = dev.keyroom.tenancy.UserId.generate();
    byte[] base = new CredentialAad(t, Home.USER, u, id, 1, "git-token").encode();
    assertThat(new CredentialAad(TenantId.generate(), Home.USER, u, id, 1, "git-token").encode())
        .isNotEqualTo(base);
    assertThat(new CredentialAad(t, Home.TENANT, null, id, 1, "git-token").encode())
        .isNotEqualTo(base);
    assertThat(
            new CredentialAad(
                    t, Home.USER, dev.keyroom.tenancy.UserId.generate(), id, 1, "git-token")
                .encode())
        .isNotEqualTo(base);
    assertThat(new CredentialAad(t, Home.USER, u, CredentialId.generate(), 1, "git-token").encode())
        .isNotEqualTo(base);
    assertThat(new CredentialAad(t, Home.USER, u, id, 2, "git-token").encode()).isNotEqualTo(base);
    assertThat(new CredentialAad(t, Home.USER, u, id, 1, "env").encode()).isNotEqualTo(base);
  }

  @Test
  void ciphertextCopiedToAnotherRow_failsToResolve() {
    CredentialInfo a = secret(secrets, "gemini", "a", CANARY);
    CredentialInfo b = secret(secrets, "gemini", "b", "other-value-0000000000");
    setCiphertext(b.id(), 1, ciphertext(a.id(), 1));
    assertResolveFails(secrets, b.id());
  }

  @Test
  void ciphertextCopiedToAnotherVersion_failsToResolve() {
    CredentialInfo a = secret(secrets, "gemini", "a", CANARY);
    vault.replace(
        secrets, new CredentialId(a.id()), SecretValue.ofUtf8("second-value-000000000"), "test");
    setCiphertext(a.id(), 2, ciphertext(a.id(), 1));
    assertResolveFails(secrets, a.id());
  }

  @Test
  void ciphertextCopiedToAnotherKind_failsToResolve() {
    CredentialInfo a = secret(secrets, "gemini", "a", CANARY);
    CredentialInfo b = secret(secrets, "openai", "b", "other-value-0000000000");
    setCiphertext(b.id(), 1, ciphertext(a.id(), 1));
    assertResolveFails(secrets, b.id());
  }

  @Test
  void ciphertextCopiedToAnotherTenant_failsToResolve() {
    Tenancy.Founded globex = k.tenancy().createTenant("globex", "admin", "test");
    CredentialScope theirs = CredentialScope.tenantSecrets(globex.tenant().id());
    CredentialInfo a = secret(secrets, "gemini", "a", CANARY);
    CredentialInfo b = secret(theirs, "gemini", "a", "other-value-0000000000");
    setCiphertext(b.id(), 1, ciphertext(a.id(), 1));
    assertResolveFails(theirs, b.id());
  }

  @Test
  void ciphertextCopiedToAnotherHome_failsToResolve() {
    User alice = k.tenancy().createUser(acme.tenant().id(), "alice", Role.MEMBER, "test");
    User bob = k.tenancy().createUser(acme.tenant().id(), "bob", Role.MEMBER, "test");
    CredentialScope alices = CredentialScope.integrationsOf(acme.tenant().id(), alice.id());
    CredentialScope bobs = CredentialScope.integrationsOf(acme.tenant().id(), bob.id());
    CredentialInfo tenantSecret = secret(secrets, "env", "API_KEY", CANARY);
    CredentialInfo integration =
        secret(alices, "personal-env", "API_KEY", "other-value-0000000000");
    CredentialInfo bobsIntegration =
        secret(bobs, "personal-env", "API_KEY", "bobs-value-00000000000");
    // a tenant secret moved into a user's integration
    setCiphertext(integration.id(), 1, ciphertext(tenantSecret.id(), 1));
    assertResolveFails(alices, integration.id());
    // one user's integration moved to another user's
    setCiphertext(bobsIntegration.id(), 1, ciphertext(integration.id(), 1));
    assertResolveFails(bobs, bobsIntegration.id());
  }

  private void assertResolveFails(CredentialScope scope, String id) {
    assertThatThrownBy(() -> vault.resolve(scope, new CredentialId(id), null))
        .isInstanceOf(DecryptionFailedException.class)
        .hasMessageContaining("decryption failed for credential " + id)
        .hasMessageNotContaining(CANARY);
  }

  @Test
  void tenantKeyRotation_keepsOldVersionsReadable_andReEncryptMovesThemToTheNewKey() {
    TenantId t = acme.tenant().id();
    CredentialInfo old = secret(secrets, "gemini", "old", CANARY);
    int oldKey = keyIdOf(ciphertext(old.id(), 1));
    long newKey = k.db().jdbi().inTransaction(h -> k.keys().rotate(h, t, k.clock().millis()));
    assertThat(newKey).isNotEqualTo(Integer.toUnsignedLong(oldKey));
    assertThat(vault.resolve(secrets, new CredentialId(old.id()), null).value().revealUtf8())
        .isEqualTo(CANARY);
    CredentialInfo fresh = secret(secrets, "gemini", "fresh", "fresh-value-00000000000");
    assertThat(Integer.toUnsignedLong(keyIdOf(ciphertext(fresh.id(), 1)))).isEqualTo(newKey);

    assertThat(vault.reEncryptAll(t, "test")).isEqualTo(2);
    assertThat(Integer.toUnsignedLong(keyIdOf(ciphertext(old.id(), 1)))).isEqualTo(newKey);
    assertThat(vault.resolve(secrets, new CredentialId(old.id()), null).value().revealUtf8())
        .isEqualTo(CANARY);
    assertThat(vault.resolve(secrets, new CredentialId(fresh.id()), null).value().revealUtf8())
        .isEqualTo("fresh-value-00000000000");
  }

  /** Tink's TINK output prefix: one version byte then the 4-byte key id. */
  private static int keyIdOf(String base64) {
    byte[] b = Base64.getDecoder().decode(base64);
    assertThat(b[0]).isEqualTo((byte) 1);
    return ByteBuffer.wrap(b, 1, 4).getInt();
  }

  @Test
  void masterKeyRotation_keepsEverythingReadable_acrossRestart() {
    CredentialInfo c = secret(secrets, "gemini", "prod", CANARY);
    String wrappedBefore = wrappedKeyset(acme.tenant().id());
    k.master().rotate();
    assertThat(k.keys().rewrapAll(k.clock().millis())).isEqualTo(1);
    MasterKeySentinel.write(k.db(), k.master());
    assertThat(wrappedKeyset(acme.tenant().id())).isNotEqualTo(wrappedBefore);
    assertThat(k.master().describe()).contains("2 key(s)");
    assertThat(vault.resolve(secrets, new CredentialId(c.id()), null).value().revealUtf8())
        .isEqualTo(CANARY);
    k.close();
    k = Keyroom.open(config());
    vault = k.vault();
    assertThat(k.vault().resolve(secrets, new CredentialId(c.id()), null).value().revealUtf8())
        .isEqualTo(CANARY);
  }

  private String wrappedKeyset(TenantId t) {
    return k.db()
        .jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT aead_keyset FROM tenant_keys WHERE tenant_id = :t")
                    .bind("t", t.value())
                    .mapTo(String.class)
                    .one());
  }

  @Test
  void startWithAnotherMasterKey_isRefusedAsWrongMasterKey() {
    k.close();
    Path other = dir.resolve("other/master-keyset.json");
    LocalKeysetMasterKey.create(other);
    Config wrong = config().with(Config.Setting.MASTER_KEY, other.toString());
    assertThatThrownBy(() -> Keyroom.open(wrong))
        .isInstanceOf(MasterKeyMismatchException.class)
        .hasMessageContaining("wrong master key");
    k = Keyroom.open(config());
  }

  @Test
  void startWithMissingMasterKeyFile_forAnExistingStore_isRefused() throws Exception {
    k.close();
    Path keyFile = dir.resolve("master-keyset.json");
    Path moved = dir.resolve("moved-keyset.json");
    Files.move(keyFile, moved);
    assertThatThrownBy(() -> Keyroom.open(config()))
        .isInstanceOf(CryptoSetupException.class)
        .hasMessageContaining("does not exist")
        .hasMessageContaining("will not create a new key for an existing store");
    assertThat(keyFile).doesNotExist();
    Files.move(moved, keyFile);
    k = Keyroom.open(config());
  }

  @Test
  void masterKeyFile_isOwnerOnly_andAReadableFileIsRefused() throws Exception {
    Path keyFile = dir.resolve("master-keyset.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
        .isEqualTo("rw-------");
    k.master().rotate();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
        .isEqualTo("rw-------");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> LocalKeysetMasterKey.open(keyFile))
        .isInstanceOf(CryptoSetupException.class)
        .hasMessageContaining("chmod 600");
  }

  @Test
  void deletingATenant_cryptoShredsItsCiphertexts() {
    TenantId t = acme.tenant().id();
    CredentialInfo c = secret(secrets, "gemini", "prod", CANARY);
    byte[] ct = Base64.getDecoder().decode(ciphertext(c.id(), 1));
    byte[] aad = aad(t, c);
    assertThat(k.keys().decrypt(t, ct, aad, "x")).asString().isEqualTo(CANARY);
    k.tenancy().deleteTenant(t);
    int keysets =
        k.db()
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM tenant_keys WHERE tenant_id = :t")
                        .bind("t", t.value())
                        .mapTo(Integer.class)
                        .one());
    assertThat(keysets).isZero();
    int versions =
        k.db()
            .jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM credential_versions WHERE tenant_id = :t")
                        .bind("t", t.value())
                        .mapTo(Integer.class)
                        .one());
    assertThat(versions).isZero();
    assertThatThrownBy(() -> k.keys().decrypt(t, ct, aad, "credential " + c.id()))
        .isInstanceOf(DecryptionFailedException.class)
        .hasMessageContaining("no longer exists")
        .hasMessageNotContaining(CANARY);
  }

  @Test
  void secretValue_printsRedacted_andComparesByContent() {
    SecretValue v = SecretValue.ofUtf8(CANARY);
    assertThat(v.toString()).isEqualTo("[REDACTED]");
    assertThat(String.valueOf(v)).doesNotContain(CANARY);
    assertThat("value=" + v).isEqualTo("value=[REDACTED]");
    assertThat(v.equalsSecret(SecretValue.ofUtf8(CANARY))).isTrue();
    assertThat(v.equalsSecret(SecretValue.ofUtf8(CANARY + "x"))).isFalse();
    assertThat(v).isNotEqualTo(SecretValue.ofUtf8(CANARY));
    byte[] copy = v.reveal();
    copy[0] = 'X';
    assertThat(v.revealUtf8()).isEqualTo(CANARY);
    v.destroy();
    assertThat(v.revealUtf8()).doesNotContain("canary");
  }
}
