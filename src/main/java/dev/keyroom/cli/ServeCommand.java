package dev.keyroom.cli;

import dev.keyroom.app.Config;
import dev.keyroom.app.Keyroom;
import dev.keyroom.tenancy.Tenancy;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keyroom serve}: runs the server until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run Keyroom (API, proxy, UI) on one port.")
final class ServeCommand implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Mixin StoreOptions store;

  @Option(names = "--port", description = "TCP port (KEYROOM_PORT, default 8080)")
  String port;

  @Option(names = "--bind", description = "listen address (KEYROOM_BIND, default 127.0.0.1)")
  String bind;

  @Option(names = "--public-url", description = "URL workrooms use to reach Keyroom (KEYROOM_PUBLIC_URL)")
  String publicUrl;

  @Override
  public void run() {
    Map<String, String> extra = new HashMap<>();
    if (port != null) extra.put("port", port);
    if (bind != null) extra.put("bind", bind);
    if (publicUrl != null) extra.put("public-url", publicUrl);
    Config config = store.config(extra, "info");
    LOG.info("configuration: {}", config.describe());
    Keyroom keyroom = Keyroom.open(config);
    bootstrap(keyroom, System.out);
    keyroom.startHttp();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down");
      keyroom.close();
      stop.countDown();
    }, "keyroom-shutdown"));
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * On the first start with an empty store: a first tenant and admin; the API token and a web
   * one-time password are printed once.
   */
  static void bootstrap(Keyroom keyroom, PrintStream out) {
    Tenancy tenancy = keyroom.tenancy();
    if (!tenancy.isEmpty()) {
      return;
    }
    Tenancy.Founded f = tenancy.createTenant("default", "admin", "system:first-start");
    out.println("Keyroom created tenant 'default' and its first admin 'admin'.");
    out.println("Admin API token (shown once, never again; Keyroom keeps only its hash):");
    out.println();
    out.println("  " + f.adminToken().token());
    out.println();
    String oneTime = new dev.keyroom.web.Passwords(keyroom.db(), tenancy, keyroom.audit(), keyroom.clock())
        .setOneTime(f.tenant().id(), f.admin().id(), "system:first-start");
    out.println("Web sign-in at /signin: organisation 'default', user 'admin', one-time password (shown once;");
    out.println("you choose your own at the first sign-in):");
    out.println();
    out.println("  " + oneTime);
    out.println();
    out.flush();
  }
}
