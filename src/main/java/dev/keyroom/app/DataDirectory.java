package dev.keyroom.app;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * The data directory holds the SQLite file and the local master keyset: readable by Keyroom's user
 * only. At start an existing directory with a looser mode (e.g. 0755) is tightened to 0700, and the
 * store files in it to 0600, when Keyroom's user owns them; otherwise start is refused with the
 * path, the mode and the fix. (A new directory is created 0700 by the store.)
 */
final class DataDirectory {
  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private DataDirectory() {}

  static void secure(Path dir) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!tighten(dir, DIRECTORY)) {
      return; // no POSIX permissions on this file system
    }
    try (DirectoryStream<Path> files =
        Files.newDirectoryStream(
            dir,
            p ->
                p.getFileName().toString().startsWith("keyroom.db")
                    || p.getFileName().toString().equals("master-keyset.json"))) {
      for (Path f : files) {
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
          tighten(f, FILE);
        }
      }
    } catch (IOException e) {
      throw new Config.ConfigException(
          "cannot list the data directory " + dir + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Removes every group and other permission bit from {@code p}; false when the file system has
   * none.
   */
  private static boolean tighten(Path p, Set<PosixFilePermission> wanted) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException e) {
      return false;
    } catch (IOException e) {
      throw new Config.ConfigException(
          "cannot read the mode of " + p + " (" + e.getClass().getSimpleName() + ")");
    }
    Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
    perms.stream().filter(x -> !wanted.contains(x)).forEach(loose::add);
    if (loose.isEmpty()) {
      return true;
    }
    Set<PosixFilePermission> tight = EnumSet.noneOf(PosixFilePermission.class);
    perms.stream().filter(wanted::contains).forEach(tight::add);
    String was = mode(perms);
    String fix = "chmod " + mode(wanted) + " " + p;
    try {
      UserPrincipal owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS);
      UserPrincipal me =
          p.getFileSystem()
              .getUserPrincipalLookupService()
              .lookupPrincipalByName(System.getProperty("user.name"));
      if (!owner.equals(me)) {
        throw new Config.ConfigException(
            p
                + " has mode "
                + was
                + " (group or others may read it) and belongs to "
                + owner.getName()
                + ", not to "
                + me.getName()
                + " who runs Keyroom; make it owned by "
                + me.getName()
                + " and run: "
                + fix);
      }
      Files.setPosixFilePermissions(p, tight);
      return true;
    } catch (IOException e) {
      throw new Config.ConfigException(
          p
              + " has mode "
              + was
              + " (group or others may read it) and Keyroom cannot"
              + " change it ("
              + e.getClass().getSimpleName()
              + "); run: "
              + fix);
    }
  }

  static String mode(Set<PosixFilePermission> perms) {
    int m = 0;
    for (PosixFilePermission p : perms) {
      m |= 1 << (8 - p.ordinal());
    }
    return String.format("0%03o", m);
  }
}
