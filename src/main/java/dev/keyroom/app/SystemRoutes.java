package dev.keyroom.app;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Authenticator;
import dev.keyroom.api.Json;
import dev.keyroom.api.Metrics;
import dev.keyroom.crypto.TenantKeys;
import dev.keyroom.error.UnauthenticatedException;
import dev.keyroom.store.Database;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /health}, {@code /metrics} (behind a bearer token when {@code KEYROOM_METRICS_TOKEN} is
 * set) and {@code /api/v1/openapi.json}.
 */
final class SystemRoutes implements ApiRoutes.Module {
  private final Database db;
  private final TenantKeys keys;
  private final Metrics metrics;
  private final byte[] openapi;

  /** SHA-256 of the token /metrics requires, or null when /metrics is open. */
  private final byte[] metricsTokenHash;

  SystemRoutes(Database db, TenantKeys keys, Metrics metrics, String metricsToken) {
    this.db = db;
    this.keys = keys;
    this.metrics = metrics;
    this.metricsTokenHash =
        metricsToken == null || metricsToken.isBlank() ? null : sha256(metricsToken.trim());
    try (InputStream in = SystemRoutes.class.getResourceAsStream("/api/openapi.json")) {
      this.openapi = in == null ? "{}".getBytes(StandardCharsets.UTF_8) : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    metrics.gauge("keyroom_up", "1 while Keyroom is serving", () -> 1);
  }

  @Override
  public void register(ApiRoutes r) {
    r.unauthenticated(
        HandlerType.GET,
        "/health",
        ctx -> {
          boolean storage = db.isReady();
          boolean crypto = cryptoReady();
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("status", storage && crypto ? "ok" : "unavailable");
          body.put("storage", storage ? "ok" : "unavailable");
          body.put("crypto", crypto ? "ok" : "unavailable");
          Json.write(ctx, storage && crypto ? 200 : 503, body);
        });
    r.unauthenticated(
        HandlerType.GET,
        "/metrics",
        ctx -> {
          if (metricsTokenHash != null) {
            r.authenticator()
                .verify(ctx, Authenticator.Kind.METRICS, () -> requireMetricsToken(ctx));
          }
          ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
        });
    r.unauthenticated(
        HandlerType.GET,
        "/api/v1/openapi.json",
        ctx -> ctx.contentType("application/json").result(openapi));
  }

  /**
   * Constant-time: both sides are hashed to 32 bytes and compared with {@link
   * MessageDigest#isEqual}.
   */
  private void requireMetricsToken(io.javalin.http.Context ctx) {
    String token = Authenticator.bearer(ctx);
    if (token == null || !MessageDigest.isEqual(metricsTokenHash, sha256(token))) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"keyroom-metrics\"");
      throw new UnauthenticatedException(
          "/metrics requires 'Authorization: Bearer <the metrics token>'"
              + " (KEYROOM_METRICS_TOKEN is set)");
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private boolean cryptoReady() {
    try {
      byte[] probe = {1, 2, 3};
      byte[] ad = "keyroom/health".getBytes(StandardCharsets.UTF_8);
      byte[] back = keys.master().aead().decrypt(keys.master().aead().encrypt(probe, ad), ad);
      return back.length == 3;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
