package dev.keyroom.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Master key held in a local Tink JSON keyset file with mode 0600. Created on first start when the
 * store is new; rotated by adding a new primary key to the same file (written atomically).
 */
public final class LocalKeysetMasterKey implements MasterKey {
  private static final Logger LOG = LoggerFactory.getLogger(LocalKeysetMasterKey.class);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private final Path file;
  private volatile KeysetHandle handle;
  private volatile Aead aead;

  private LocalKeysetMasterKey(Path file, KeysetHandle handle) {
    this.file = file;
    use(handle);
  }

  /** Opens an existing keyset file. Refuses a file that others can read. */
  public static LocalKeysetMasterKey open(Path file) {
    TinkSetup.ensure();
    return new LocalKeysetMasterKey(file, read(file));
  }

  /** Creates a new keyset file (0600); refuses to overwrite an existing one. */
  public static LocalKeysetMasterKey create(Path file) {
    TinkSetup.ensure();
    if (Files.exists(file)) {
      throw new CryptoSetupException(
          "master key file " + file + " already exists; not overwriting it");
    }
    try {
      KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
      write(file, handle);
      LOG.info(
          "created master key {} (key id {})",
          file,
          Integer.toUnsignedString(handle.getPrimary().getId()));
      return new LocalKeysetMasterKey(file, handle);
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("could not generate a master key: " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  @Override
  public Aead aead() {
    return aead;
  }

  @Override
  public synchronized void rotate() {
    try {
      KeysetHandle rotated =
          KeysetHandle.newBuilder(read(file))
              .addEntry(
                  KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                      .withRandomId()
                      .makePrimary())
              .build();
      write(file, rotated);
      use(rotated);
      LOG.info("master key rotated: {}", describe());
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("could not rotate the master key: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void reload() {
    use(read(file));
  }

  @Override
  public String describe() {
    KeysetHandle h = handle;
    return "local keyset file "
        + file
        + " ("
        + h.size()
        + " key(s), primary key id "
        + Integer.toUnsignedString(h.getPrimary().getId())
        + ")";
  }

  private void use(KeysetHandle h) {
    try {
      this.aead = h.getPrimitive(RegistryConfiguration.get(), Aead.class);
      this.handle = h;
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("master key file " + file + " holds no usable AEAD key", e);
    }
  }

  private static KeysetHandle read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CryptoSetupException("master key file " + file + " does not exist");
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.stream()
          .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
        throw new CryptoSetupException(
            "master key file "
                + file
                + " must be readable by its owner only "
                + "(mode 0600, is "
                + PosixFilePermissions.toString(perms)
                + "); run: chmod 600 "
                + file);
      }
      String json = Files.readString(file, StandardCharsets.UTF_8);
      return TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get());
    } catch (IOException e) {
      throw new CryptoSetupException(
          "cannot read master key file " + file + ": " + e.getClass().getSimpleName(), e);
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("master key file " + file + " is not a valid Tink keyset", e);
    }
  }

  private static void write(Path file, KeysetHandle handle) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (!Files.exists(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      String json =
          TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
      Path tmp =
          Files.createTempFile(
              dir, ".master-keyset", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      try {
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    } catch (IOException e) {
      throw new CryptoSetupException(
          "cannot write master key file " + file + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new CryptoSetupException("cannot serialize the master key", e);
    }
  }
}
