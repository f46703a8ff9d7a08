package dev.keyroom.web;

import com.microsoft.playwright.Browser.NewContextOptions;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Headless Debian Chromium driven by Playwright for Java (no browser download). Records the body of
 * every HTML response so tests can scan all served pages for secret values.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  /**
   * Where screenshots go: target/screenshots by default, so ordinary test runs leave the work tree
   * alone; {@code -Dscreenshots=docs/screenshots} refreshes the committed ones.
   */
  static final Path SCREENSHOTS = Path.of(System.getProperty("screenshots", "target/screenshots"));

  private final Playwright playwright;
  private final com.microsoft.playwright.Browser browser;
  final List<String> servedHtml = new CopyOnWriteArrayList<>();

  /** Every URL the pages requested (navigations, form posts, redirects, assets). */
  final List<String> requestedUrls = new CopyOnWriteArrayList<>();

  Browser() {
    this.playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    this.browser =
        playwright
            .chromium()
            .launch(
                new BrowserType.LaunchOptions()
                    .setExecutablePath(CHROMIUM)
                    .setHeadless(true)
                    .setArgs(
                        List.of(
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync")));
  }

  static boolean available() {
    return Files.isExecutable(CHROMIUM);
  }

  /** Set to {@code true} to skip the browser tests on a machine without Chromium (loudly). */
  static final String SKIP_PROPERTY = "keyroom.skipBrowserTests";

  /**
   * Call before any browser test. Without Chromium the test fails, naming the install command, so a
   * run without a browser is never green by reporting "0 tests"; with {@code
   * -Dkeyroom.skipBrowserTests=true} it is skipped instead, with the reason on stderr.
   */
  static void requireChromium() {
    requireChromium(CHROMIUM, Boolean.getBoolean(SKIP_PROPERTY));
  }

  static void requireChromium(Path chromium, boolean skip) {
    if (Files.isExecutable(chromium)) {
      return;
    }
    String missing =
        "the browser tests need Chromium at "
            + chromium
            + ": install it with `apt-get install -y chromium`";
    if (skip) {
      String message = "SKIPPED browser tests (-D" + SKIP_PROPERTY + "=true): " + missing;
      System.err.println(message);
      org.junit.jupiter.api.Assumptions.abort(message);
    }
    throw new AssertionError(
        missing + " (or skip them explicitly with -D" + SKIP_PROPERTY + "=true)");
  }

  /** A fresh browser profile (own cookies) at desktop width. */
  Page newPage() {
    BrowserContext ctx =
        browser.newContext(new NewContextOptions().setViewportSize(1280, 860).setLocale("en-GB"));
    Page page = ctx.newPage();
    page.onRequest(r -> requestedUrls.add(r.url()));
    page.onResponse(
        r -> {
          String type = r.headerValue("content-type");
          if (type != null && type.startsWith("text/html")) {
            try {
              servedHtml.add(r.text());
            } catch (RuntimeException e) {
              servedHtml.add("<unreadable body of " + r.url() + ">");
            }
          }
        });
    return page;
  }

  /** A fresh browser profile signed in at {@code baseUrl} through the sign-in form. */
  Page signIn(String baseUrl, String tenant, String user, String password) {
    Page page = newPage();
    page.navigate(baseUrl + "/");
    page.getByLabel("Organisation").fill(tenant);
    page.getByLabel("User name").fill(user);
    page.getByLabel("Password").fill(password);
    page.getByRole(
            com.microsoft.playwright.options.AriaRole.BUTTON,
            new Page.GetByRoleOptions().setName("Sign in"))
        .click();
    return page;
  }

  /**
   * Saves the page at desktop (1280 px) and phone (390 px) width as NAME-desktop.png and
   * NAME-phone.png.
   */
  static void shoot(Page page, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    page.setViewportSize(1280, 860);
    page.screenshot(
        new Page.ScreenshotOptions()
            .setPath(SCREENSHOTS.resolve(name + "-desktop.png"))
            .setFullPage(true));
    page.setViewportSize(390, 844);
    page.screenshot(
        new Page.ScreenshotOptions()
            .setPath(SCREENSHOTS.resolve(name + "-phone.png"))
            .setFullPage(true));
    page.setViewportSize(1280, 860);
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
