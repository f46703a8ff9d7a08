package dev.keyroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyroom.api.Json;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The per-user configuration file of the CLI: one profile per Keyroom server, each holding its URL
 * and the API token {@code keyroom login} verified. The file is {@code KEYROOM_CONFIG}, else {@code
 * $XDG_CONFIG_HOME/keyroom/config.json}, else {@code ~/.config/keyroom/config.json}; it is written
 * 0600 in a 0700 directory, replaced atomically, and never printed.
 */
final class Profiles {
  static final String DEFAULT = "default";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  /** One server: its URL and, while logged in, its API token. */
  record Profile(String name, String url, String token) {
    @Override
    public String toString() {
      return "Profile[name="
          + name
          + ", url="
          + url
          + ", token="
          + (token == null ? "none" : "[REDACTED]")
          + "]";
    }
  }

  private final Path path;
  private final ObjectNode root;

  private Profiles(Path path, ObjectNode root) {
    this.path = path;
    this.root = root;
  }

  static Path path() {
    String explicit = System.getenv("KEYROOM_CONFIG");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit.trim());
    }
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path base =
        xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
            ? Path.of(xdg)
            : home().resolve(".config");
    return base.resolve("keyroom").resolve("config.json");
  }

  /**
   * {@code $HOME} as the shell means {@code ~}; the JVM's {@code user.home} (from the password
   * database) only when HOME is unset or not absolute. A person who sets HOME gets their file
   * there.
   */
  private static Path home() {
    String home = System.getenv("HOME");
    return home != null && !home.isBlank() && Path.of(home).isAbsolute()
        ? Path.of(home)
        : Path.of(System.getProperty("user.home"));
  }

  /** The configuration file, or an empty one when it does not exist yet. */
  static Profiles load() {
    Path p = path();
    if (!Files.exists(p)) {
      return new Profiles(
          p, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
    }
    try {
      warnIfReadableByOthers(p);
      JsonNode n = JsonReader.tree(Files.readAllBytes(p));
      if (n == null || !n.isObject() || (n.has("profiles") && !n.get("profiles").isObject())) {
        throw new Failures.CliException(
            Main.FAILED, p + ": not a Keyroom configuration file (expected {\"profiles\": {…}})");
      }
      return new Profiles(p, (ObjectNode) n);
    } catch (IOException e) {
      throw new Failures.CliException(
          Main.FAILED, p + ": cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  Path file() {
    return path;
  }

  /**
   * The profile to use: the flag, else KEYROOM_PROFILE, else the file's default, else "default".
   */
  String chosen(String flag) {
    String name = flag != null ? flag : System.getenv("KEYROOM_PROFILE");
    if (name == null || name.isBlank()) {
      name = root.path("defaultProfile").asText(DEFAULT);
    }
    name = name.trim();
    if (!NAME.matcher(name).matches()) {
      throw new Failures.CliException(
          Main.USAGE,
          "--profile: must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return name;
  }

  Optional<Profile> get(String name) {
    JsonNode p = root.path("profiles").path(name);
    if (!p.isObject()) {
      return Optional.empty();
    }
    return Optional.of(new Profile(name, text(p, "url"), text(p, "token")));
  }

  /** The named profile, or a failure listing the profiles there are. */
  Profile require(String name) {
    return get(name)
        .orElseThrow(
            () ->
                new Failures.CliException(
                    Main.FAILED,
                    "profile '"
                        + name
                        + "' does not exist in "
                        + path
                        + (names().isEmpty()
                            ? "; log in first: keyroom login URL"
                            : "; profiles: " + String.join(", ", names()))));
  }

  List<String> names() {
    List<String> out = new ArrayList<>();
    root.path("profiles").fieldNames().forEachRemaining(out::add);
    return out;
  }

  boolean hasDefault() {
    return root.hasNonNull("defaultProfile");
  }

  void put(String name, String url, String token, boolean makeDefault) {
    ObjectNode profiles =
        root.has("profiles") ? (ObjectNode) root.get("profiles") : root.putObject("profiles");
    ObjectNode p = profiles.putObject(name);
    p.put("url", url);
    if (token != null) {
      p.put("token", token);
    }
    if (makeDefault || !hasDefault()) {
      root.put("defaultProfile", name);
    }
  }

  /** Forgets the profile's token (its URL stays); false when it held none. */
  boolean removeToken(String name) {
    JsonNode p = root.path("profiles").path(name);
    return p.isObject() && ((ObjectNode) p).remove("token") != null;
  }

  /** Writes the file 0600 (directory 0700) through a temporary file and an atomic rename. */
  void save() {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    Path dir = path.toAbsolutePath().getParent();
    try {
      if (!Files.isDirectory(dir)) {
        if (posix) {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
        } else {
          Files.createDirectories(dir);
        }
      }
      FileAttribute<?>[] attrs =
          posix
              ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
              : new FileAttribute<?>[0];
      Path tmp = Files.createTempFile(dir, ".config", ".tmp", attrs);
      try {
        Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        if (posix) {
          Files.setPosixFilePermissions(tmp, FILE); // a umask cannot have widened it, but say so
        }
        move(tmp);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new Failures.CliException(
          Main.FAILED, path + ": cannot be written (" + e.getClass().getSimpleName() + ")");
    }
  }

  private void move(Path tmp) throws IOException {
    try {
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void warnIfReadableByOthers(Path p) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (!FILE.containsAll(perms)) {
        System.err.println(
            "keyroom: warning: "
                + p
                + " holds API tokens and is mode "
                + PosixFilePermissions.toString(perms)
                + "; make it private: chmod 600 "
                + p);
      }
    } catch (UnsupportedOperationException | IOException e) {
      // no POSIX permissions on this file system: nothing to check
      return;
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
  }
}
