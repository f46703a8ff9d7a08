package dev.keyroom.app;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.api.Metrics;
import dev.keyroom.crypto.TenantKeys;
import dev.keyroom.store.Database;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /health}, {@code /metrics} and {@code /api/v1/openapi.json}. */
final class SystemRoutes implements ApiRoutes.Module {
  private final Database db;
  private final TenantKeys keys;
  private final Metrics metrics;
  private final byte[] openapi;

  SystemRoutes(Database db, TenantKeys keys, Metrics metrics) {
    this.db = db;
    this.keys = keys;
    this.metrics = metrics;
    try (InputStream in = SystemRoutes.class.getResourceAsStream("/api/openapi.json")) {
      this.openapi = in == null ? "{}".getBytes(StandardCharsets.UTF_8) : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    metrics.gauge("keyroom_up", "1 while Keyroom is serving", () -> 1);
  }

  @Override
  public void register(ApiRoutes r) {
    r.unauthenticated(HandlerType.GET, "/health", ctx -> {
      boolean storage = db.isReady();
      boolean crypto = cryptoReady();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", storage && crypto ? "ok" : "unavailable");
      body.put("storage", storage ? "ok" : "unavailable");
      body.put("crypto", crypto ? "ok" : "unavailable");
      Json.write(ctx, storage && crypto ? 200 : 503, body);
    });
    r.unauthenticated(HandlerType.GET, "/metrics", ctx ->
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    r.unauthenticated(HandlerType.GET, "/api/v1/openapi.json", ctx ->
        ctx.contentType("application/json").result(openapi));
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
