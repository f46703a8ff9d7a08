package dev.keyroom.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.mac.HmacParameters;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.TenantId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-tenant data keys: an AES-256-GCM keyset for credential values and an HMAC-SHA256 keyset for
 * fingerprints, both stored wrapped by the master key with the tenant id as associated data (a
 * keyset cannot be moved to another tenant). Deleting the row crypto-shreds the tenant.
 */
public final class TenantKeys {
  private static final Logger LOG = LoggerFactory.getLogger(TenantKeys.class);
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private record Primitives(Aead aead, Mac mac) {}

  private final Database db;
  private final MasterKey master;
  private final Map<TenantId, Primitives> cache = new ConcurrentHashMap<>();

  public TenantKeys(Database db, MasterKey master) {
    TinkSetup.ensure();
    this.db = db;
    this.master = master;
  }

  public MasterKey master() {
    return master;
  }

  /** Generates and stores the tenant's keysets inside the caller's transaction. */
  public void createFor(Handle h, TenantId tenant, long now) {
    try {
      KeysetHandle aeadKeys = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
      KeysetHandle macKeys = KeysetHandle.generateNew(fingerprintParameters());
      h.createUpdate(
              "INSERT INTO tenant_keys (tenant_id, aead_keyset, mac_keyset, updated_at)"
                  + " VALUES (:t, :a, :m, :now)")
          .bind("t", tenant.value())
          .bind("a", wrap(aeadKeys, tenant, "aead"))
          .bind("m", wrap(macKeys, tenant, "mac"))
          .bind("now", now)
          .execute();
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("could not create data keys for tenant " + tenant, e);
    }
  }

  /** Encrypts with the tenant's primary data key, binding {@code associatedData}. */
  public byte[] encrypt(TenantId tenant, byte[] plaintext, byte[] associatedData) {
    try {
      return primitives(tenant).aead().encrypt(plaintext, associatedData);
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("encryption failed for tenant " + tenant, e);
    }
  }

  /**
   * Decrypts a ciphertext of this tenant. Fails with a value-free message when the bytes were
   * tampered with, the associated data differs (moved row) or the key is gone (shredded).
   */
  public byte[] decrypt(TenantId tenant, byte[] ciphertext, byte[] associatedData, String what) {
    try {
      return primitives(tenant).aead().decrypt(ciphertext, associatedData);
    } catch (GeneralSecurityException first) {
      // Another node may have rotated the tenant key: reload once and retry.
      cache.remove(tenant);
      try {
        return primitives(tenant).aead().decrypt(ciphertext, associatedData);
      } catch (GeneralSecurityException | KeysGoneException e) {
        LOG.warn(
            "decryption failed for {} of tenant {} ({} bytes)", what, tenant, ciphertext.length);
        throw new DecryptionFailedException("decryption failed for " + what);
      }
    } catch (KeysGoneException e) {
      throw new DecryptionFailedException(
          "decryption failed for " + what + ": the tenant's data key no longer exists");
    }
  }

  /**
   * A keyed fingerprint within one domain: equal values in the same {@code domain} (the encoded
   * tenant, home and owner) have equal fingerprints; the same value in two domains has unrelated
   * ones. The MAC input is the length-prefixed domain followed by the value, so a domain cannot be
   * forged by choosing a value. Reveals nothing of the value.
   */
  public String fingerprint(TenantId tenant, byte[] domain, byte[] value) {
    byte[] input = new byte[4 + domain.length + value.length];
    try {
      input[0] = (byte) (domain.length >>> 24);
      input[1] = (byte) (domain.length >>> 16);
      input[2] = (byte) (domain.length >>> 8);
      input[3] = (byte) domain.length;
      System.arraycopy(domain, 0, input, 4, domain.length);
      System.arraycopy(value, 0, input, 4 + domain.length, value.length);
      byte[] tag = primitives(tenant).mac().computeMac(input);
      return "fp_" + HexFormat.of().formatHex(tag, 0, 10);
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("fingerprint failed for tenant " + tenant, e);
    } finally {
      java.util.Arrays.fill(input, (byte) 0);
    }
  }

  /** Adds a new primary data key for the tenant. Older keys keep decrypting. Returns its key id. */
  public long rotate(Handle h, TenantId tenant, long now) {
    String wrapped =
        h.createQuery("SELECT aead_keyset FROM tenant_keys WHERE tenant_id = :t" + db.forUpdate())
            .bind("t", tenant.value())
            .mapTo(String.class)
            .findOne()
            .orElseThrow(() -> new KeysGoneException(tenant));
    try {
      KeysetHandle rotated =
          KeysetHandle.newBuilder(unwrap(wrapped, tenant, "aead"))
              .addEntry(
                  KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                      .withRandomId()
                      .makePrimary())
              .build();
      h.createUpdate(
              "UPDATE tenant_keys SET aead_keyset = :a, updated_at = :now WHERE tenant_id = :t")
          .bind("a", wrap(rotated, tenant, "aead"))
          .bind("now", now)
          .bind("t", tenant.value())
          .execute();
      cache.remove(tenant);
      return Integer.toUnsignedLong(rotated.getPrimary().getId());
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("could not rotate the data key of tenant " + tenant, e);
    }
  }

  /** Re-wraps every tenant's keysets with the master key's current primary. Returns the count. */
  public int rewrapAll(long now) {
    List<TenantId> tenants =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT tenant_id FROM tenant_keys ORDER BY tenant_id")
                        .mapTo(String.class)
                        .map(TenantId::new)
                        .list());
    int done = 0;
    for (TenantId tenant : tenants) {
      db.jdbi()
          .useTransaction(
              h -> {
                var row =
                    h.createQuery(
                            "SELECT aead_keyset, mac_keyset FROM tenant_keys WHERE tenant_id = :t"
                                + db.forUpdate())
                        .bind("t", tenant.value())
                        .mapToMap(String.class)
                        .findOne();
                if (row.isEmpty()) {
                  return;
                }
                try {
                  String aead =
                      wrap(unwrap(row.get().get("aead_keyset"), tenant, "aead"), tenant, "aead");
                  String mac =
                      wrap(unwrap(row.get().get("mac_keyset"), tenant, "mac"), tenant, "mac");
                  h.createUpdate(
                          "UPDATE tenant_keys SET aead_keyset = :a, mac_keyset = :m, updated_at = :now WHERE tenant_id = :t")
                      .bind("a", aead)
                      .bind("m", mac)
                      .bind("now", now)
                      .bind("t", tenant.value())
                      .execute();
                } catch (GeneralSecurityException e) {
                  throw new CryptoSetupException(
                      "could not re-wrap the keys of tenant " + tenant, e);
                }
              });
      done++;
    }
    cache.clear();
    return done;
  }

  /** Drops cached keys of a tenant (after rotation or deletion). */
  public void forget(TenantId tenant) {
    cache.remove(tenant);
  }

  private Primitives primitives(TenantId tenant) {
    Primitives p = cache.get(tenant);
    if (p != null) {
      return p;
    }
    p = load(tenant);
    cache.put(tenant, p);
    return p;
  }

  private Primitives load(TenantId tenant) {
    var row =
        db.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT aead_keyset, mac_keyset FROM tenant_keys WHERE tenant_id = :t")
                        .bind("t", tenant.value())
                        .mapToMap(String.class)
                        .findOne());
    if (row.isEmpty()) {
      throw new KeysGoneException(tenant);
    }
    try {
      return new Primitives(
          unwrap(row.get().get("aead_keyset"), tenant, "aead")
              .getPrimitive(RegistryConfiguration.get(), Aead.class),
          unwrap(row.get().get("mac_keyset"), tenant, "mac")
              .getPrimitive(RegistryConfiguration.get(), Mac.class));
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("the data keys of tenant " + tenant + " cannot be used", e);
    }
  }

  private String wrap(KeysetHandle keys, TenantId tenant, String purpose)
      throws GeneralSecurityException {
    byte[] wrapped =
        TinkProtoKeysetFormat.serializeEncryptedKeyset(
            keys, master.aead(), wrapContext(tenant, purpose));
    return B64.encodeToString(wrapped);
  }

  private KeysetHandle unwrap(String wrapped, TenantId tenant, String purpose)
      throws GeneralSecurityException {
    byte[] bytes = B64D.decode(wrapped);
    try {
      return TinkProtoKeysetFormat.parseEncryptedKeyset(
          bytes, master.aead(), wrapContext(tenant, purpose));
    } catch (GeneralSecurityException e) {
      // The master key file may have been rotated by another process: re-read it once.
      master.reload();
      try {
        return TinkProtoKeysetFormat.parseEncryptedKeyset(
            bytes, master.aead(), wrapContext(tenant, purpose));
      } catch (GeneralSecurityException again) {
        throw new CryptoSetupException(
            "the master key cannot open the data keys of tenant "
                + tenant
                + "; is KEYROOM_MASTER_KEY the key this store was created with?",
            again);
      }
    }
  }

  private static byte[] wrapContext(TenantId tenant, String purpose) {
    return ("keyroom/tenant-keyset/" + purpose + "/" + tenant.value())
        .getBytes(StandardCharsets.UTF_8);
  }

  private static HmacParameters fingerprintParameters() throws GeneralSecurityException {
    return HmacParameters.builder()
        .setKeySizeBytes(32)
        .setTagSizeBytes(32)
        .setHashType(HmacParameters.HashType.SHA256)
        .setVariant(HmacParameters.Variant.NO_PREFIX)
        .build();
  }

  /** The tenant has no data keys (deleted: crypto-shredded). */
  static final class KeysGoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KeysGoneException(TenantId tenant) {
      super("tenant " + tenant + " has no data keys");
    }
  }
}
