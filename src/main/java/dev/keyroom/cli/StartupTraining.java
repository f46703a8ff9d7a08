package dev.keyroom.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * The workloads the launcher ({@code ./keyroom}) records the JVM's start-up caches from: once per
 * build of the jar, in a JVM of its own, never by people. {@code git-credential} walks what git's
 * credential helper does; {@code cli} what the other client commands do at start — every command's
 * usage, an API call and its JSON; {@code serve} a server's start and first answers ({@link
 * ServeTraining}). The first two talk to a stand-in server on loopback that answers with made-up
 * data (a bare socket, so that no server classes end up in the cache), and print nothing. Whatever
 * a cache lacks, the command loads from the jar as usual.
 */
public final class StartupTraining {
  private static final String SESSION = "ses_startuptraining";

  private StartupTraining() {}

  public static void main(String[] args) throws Exception {
    String workload = args.length == 1 ? args[0] : "";
    if (workload.equals("serve")) {
      ServeTraining.run();
      return;
    }
    if (!workload.equals("git-credential") && !workload.equals("cli")) {
      System.err.println("usage: StartupTraining git-credential|cli|serve");
      System.exit(Main.USAGE);
    }
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream none =
        new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread.ofPlatform().daemon().name("startup-training-server").start(() -> serve(server));
      String url = "http://127.0.0.1:" + server.getLocalPort();
      System.setOut(none);
      System.setErr(none);
      if (workload.equals("git-credential")) {
        gitCredential(url, none);
      } else {
        cli(url, none);
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static void gitCredential(String url, PrintStream none) throws IOException {
    // Main and its fast path, as `-jar` runs them
    if (!Main.COMMANDS.contains("git-credential")
        || !GitCredentialCommand.isGitsCall("git-credential", "get")) {
      throw new IllegalStateException("git's call is not recognised");
    }
    GitCredentialExchange session =
        new GitCredentialExchange(
            RunCommand.SessionSettings.url(url), "kr_sess_startuptraining", SESSION);
    Map<String, String> request =
        GitCredentialCommand.read(
            new java.io.BufferedReader(
                new java.io.InputStreamReader(
                    new java.io.ByteArrayInputStream(
                        "protocol=https\nhost=git.example\n\n".getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8)));
    System.getenv(
        "KEYROOM_SESSION_ID"); // the environment, as git-credential reads it (nothing is taken from
    // it here)
    GitCredentialCommand.answer(session, request, none, none);
    // and a refusal (the stand-in knows no such session)
    GitCredentialCommand.answer(
        new GitCredentialExchange(url, "kr_sess_startuptraining", "ses_unknown"),
        request,
        none,
        none);
  }

  private static void cli(String url, PrintStream none) {
    for (String name : Main.COMMANDS) {
      usage(Main.commandLine(name));
    }
    Main.run("--help");
    Main.run("whoami", "--no-such-option"); // the usage error path (reads no environment, no file)
    ApiClient api = new ApiClient(new Server.Target(Server.url(url), "kr_u_startuptraining", null));
    Identity.of(api, null).print(none, false, "");
    Identity.of(api, null).print(none, true, "");
    CredentialViews.list(api.get("/api/v1/secrets?limit=200").get("credentials"));
  }

  private static void usage(CommandLine command) {
    command.usage(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
    command.getSubcommands().values().forEach(StartupTraining::usage);
  }

  /**
   * Answers each connection's first request with made-up JSON chosen by its path (HTTP/1.1 with a
   * length, as Keyroom answers: the client takes the keep-alive path), then closes it.
   */
  private static void serve(ServerSocket server) {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        InputStream in = new BufferedInputStream(s.getInputStream());
        String head = head(in);
        String path =
            head.isEmpty()
                ? ""
                : head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
        in.readNBytes(contentLength(head));
        String body =
            switch (path) {
              case "/api/v1/sessions/" + SESSION + "/git-credential" ->
                  "{\"username\":\"x-access-token\",\"password\":\"none\"}";
              case "/api/v1/me" ->
                  "{\"tenantId\":\"ten_training\",\"kind\":\"user\",\"user\":{\"id\":\"usr_training\","
                      + "\"name\":\"training\",\"role\":\"member\"}}";
              case "/api/v1/secrets?limit=200" ->
                  "{\"credentials\":[{\"id\":\"cred_training\",\"kind\":\"env\",\"name\":\"T\","
                      + "\"version\":1,\"status\":\"active\",\"createdAt\":0,\"lastUsed\":null}],"
                      + "\"next\":null,\"prev\":null}";
              default -> null;
            };
        byte[] bytes =
            (body == null ? "{\"error\":\"not_found\",\"message\":\"none\"}" : body)
                .getBytes(StandardCharsets.UTF_8);
        OutputStream o = s.getOutputStream();
        o.write(
            ((body == null ? "HTTP/1.1 404 Not Found" : "HTTP/1.1 200 OK")
                    + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: "
                    + bytes.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        o.write(bytes);
        o.flush();
      } catch (IOException | RuntimeException e) {
        // the next connection is answered anew; the training's own calls notice what went wrong
      }
    }
  }

  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int last4 = 0;
    int c;
    while (last4 != 0x0d0a0d0a && (c = in.read()) != -1) {
      b.write(c);
      last4 = last4 << 8 | c;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return 0;
  }
}
