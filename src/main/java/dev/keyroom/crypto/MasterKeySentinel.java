package dev.keyroom.crypto;

import dev.keyroom.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * A known plaintext encrypted under the master key and kept in the store. At start-up it is opened:
 * a master key that cannot open it is the wrong key, and Keyroom refuses to run.
 */
public final class MasterKeySentinel {
  static final String NAME = "master_key_sentinel";
  private static final byte[] PLAINTEXT =
      "keyroom master key sentinel v1".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CONTEXT = "keyroom/sentinel".getBytes(StandardCharsets.UTF_8);

  private MasterKeySentinel() {}

  /** True when this store already has a sentinel (so it has a master key somewhere). */
  public static boolean exists(Database db) {
    return read(db).isPresent();
  }

  /** Checks the sentinel, creating it for a new store. */
  public static void verifyOrCreate(Database db, MasterKey master) {
    Optional<String> stored = read(db);
    if (stored.isEmpty()) {
      write(db, master);
      return;
    }
    if (!opens(stored.get(), master)) {
      master.reload();
      if (!opens(stored.get(), master)) {
        throw new MasterKeyMismatchException(
            "wrong master key: "
                + master.describe()
                + " cannot open this store's sentinel, so it is not the key "
                + "this database was encrypted with. Keyroom will not start; point KEYROOM_MASTER_KEY at the right "
                + "keyset (or restore it from backup).");
      }
    }
  }

  /** Re-encrypts the sentinel under the current primary (after master key rotation). */
  public static void write(Database db, MasterKey master) {
    try {
      String value = Base64.getEncoder().encodeToString(master.aead().encrypt(PLAINTEXT, CONTEXT));
      db.jdbi()
          .useTransaction(
              h -> {
                h.createUpdate("DELETE FROM keyroom_meta WHERE name = :n")
                    .bind("n", NAME)
                    .execute();
                h.createUpdate("INSERT INTO keyroom_meta (name, value) VALUES (:n, :v)")
                    .bind("n", NAME)
                    .bind("v", value)
                    .execute();
              });
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("could not write the master key sentinel", e);
    }
  }

  private static boolean opens(String stored, MasterKey master) {
    try {
      byte[] plain = master.aead().decrypt(Base64.getDecoder().decode(stored), CONTEXT);
      return MessageDigest.isEqual(plain, PLAINTEXT);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  private static Optional<String> read(Database db) {
    return db.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT value FROM keyroom_meta WHERE name = :n")
                    .bind("n", NAME)
                    .mapTo(String.class)
                    .findOne());
  }
}
