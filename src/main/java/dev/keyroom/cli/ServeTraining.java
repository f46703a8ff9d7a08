package dev.keyroom.cli;

import dev.keyroom.app.Config;
import dev.keyroom.app.Keyroom;
import dev.keyroom.tenancy.Tenancy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The {@code serve} workload of {@link StartupTraining}: what {@code keyroom serve} does from start
 * to its first answers, in a temporary data directory on a free loopback port — a new store
 * (migrations, master key, first tenant and admin), the HTTP server, then the calls a platform
 * makes first (health, who am I, a secret, a workroom, a session and its environment) and a web
 * page. The JVM records the classes all this loads; {@code keyroom serve} then starts with them in
 * its cache. Nothing leaves the temporary directory, which is deleted.
 */
final class ServeTraining {
  private ServeTraining() {}

  static void run() throws IOException {
    Path dir = Files.createTempDirectory("keyroom-training-");
    PrintStream none =
        new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    try {
      Config config =
          Config.defaults()
              .with(Config.Setting.DATA_DIR, dir.toString())
              .with(Config.Setting.BIND, "127.0.0.1")
              .with(Config.Setting.PORT, "0")
              .with(Config.Setting.LOG_LEVEL, "warn");
      try (Keyroom keyroom = Keyroom.open(config)) {
        ServeCommand.bootstrap(keyroom, none);
        Tenancy.Founded t = keyroom.tenancy().createTenant("training", "admin", "system:training");
        keyroom.startHttp();
        String base = "http://127.0.0.1:" + keyroom.http().port();
        String admin = t.adminToken().token();
        call("GET", base + "/health", null, null);
        call("GET", base + "/api/v1/me", admin, null);
        String secret =
            field(
                call(
                    "POST",
                    base + "/api/v1/secrets",
                    admin,
                    "{\"kind\":\"env\",\"name\":\"TRAINING\",\"value\":\"training-value\"}"),
                "id");
        String room =
            field(
                call(
                    "POST",
                    base + "/api/v1/workrooms",
                    admin,
                    "{\"name\":\"training\",\"tools\":[{\"kind\":\"env\",\"secretId\":\""
                        + secret
                        + "\"}]}"),
                "id");
        call(
            "POST",
            base + "/api/v1/workrooms/" + room + "/members",
            admin,
            "{\"userId\":\"" + t.admin().id().value() + "\"}");
        String started =
            call("POST", base + "/api/v1/workrooms/" + room + "/sessions", admin, "{}");
        call(
            "GET",
            base + "/api/v1/sessions/" + field(started, "id") + "/environment",
            field(started, "sessionToken"),
            null);
        call("GET", base + "/api/v1/secrets", admin, null);
        call("GET", base + "/signin", null, null);
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static String call(String method, String url, String token, String json)
      throws IOException {
    HttpCall.Answer a =
        HttpCall.send(
            method,
            URI.create(url),
            token,
            json == null ? null : json.getBytes(StandardCharsets.UTF_8),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30));
    if (a.status() >= 400) {
      throw new IllegalStateException(method + " " + URI.create(url).getPath() + ": " + a.status());
    }
    return new String(a.body(), StandardCharsets.UTF_8);
  }

  private static String field(String json, String name) {
    String value = JsonReader.strings(json.getBytes(StandardCharsets.UTF_8)).get(name);
    if (value == null) {
      throw new IllegalStateException("no " + name + " in the answer");
    }
    return value;
  }
}
