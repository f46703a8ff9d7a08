package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyroom.app.Config;
import dev.keyroom.app.Keyroom;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory made loose by hand (0755, files 0644) — other local users could copy the store
 * and the master keyset — is tightened at the next start (0700, files 0600); one that Keyroom
 * cannot tighten stops the start with the path, the mode and the fix.
 */
class DataDirectoryIsReadableByItsOwnerOnlyTest {
  @TempDir Path parent;

  @Test
  void aLooseExistingDataDirectoryAndItsFiles_areTightenedAtStart() throws Exception {
    Path dir = parent.resolve("data");
    Config c = TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir));
    Keyroom.open(c).close();
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        dir.resolve("keyroom.db"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(
        dir.resolve("master-keyset.json"), PosixFilePermissions.fromString("rw-r--r--"));
    Keyroom.open(c).close();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keyroom.db"))))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("master-keyset.json"))))
        .isEqualTo("rw-------");
  }

  @Test
  void aLooseDataDirectoryOfAnotherUser_stopsTheStartWithPathModeAndFix() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "giving a directory to another user needs root; this case runs where the suite runs as root");
    Path dir = parent.resolve("theirs");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    UserPrincipal nobody =
        dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(dir, nobody);
    Config c = TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir));
    assertThatThrownBy(() -> Keyroom.open(c).close())
        .isInstanceOf(Config.ConfigException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("0755")
        .hasMessageContaining("chmod 0700");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwxr-xr-x");
  }
}
