package dev.keyroom.audit;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.error.InvalidInputException;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /api/v1/audit} (filters) and {@code GET /api/v1/audit/verify}, admins only. */
public final class AuditRoutes implements ApiRoutes.Module {
  private final AuditLog audit;

  public AuditRoutes(AuditLog audit) {
    this.audit = audit;
  }

  @Override
  public void register(ApiRoutes r) {
    r.get("/api/v1/audit", (ctx, p) -> {
      p.requireAdmin("reading the audit log");
      int limit = intParam(ctx, "limit", 100);
      if (limit < 1 || limit > 1000) {
        throw new InvalidInputException("limit", "must be between 1 and 1000");
      }
      List<AuditRecord> rows = audit.query(p.tenant(), new AuditLog.Filter(
          ctx.queryParam("actor"), ctx.queryParam("action"), ctx.queryParam("target"),
          ctx.queryParam("session"), ctx.queryParam("workroom"), longParam(ctx, "from"), longParam(ctx, "to"),
          longParam(ctx, "before"), limit));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("events", rows);
      body.put("next", rows.size() == limit ? rows.get(rows.size() - 1).seq() : null);
      Json.write(ctx, 200, body);
    });
    r.get("/api/v1/audit/verify", (ctx, p) -> {
      p.requireAdmin("verifying the audit log");
      Json.write(ctx, 200, audit.verify(p.tenant()));
    });
  }

  private static int intParam(Context ctx, String name, int fallback) {
    Long v = longParam(ctx, name);
    return v == null ? fallback : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }

  private static Long longParam(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(name, "must be an integer (epoch milliseconds for from/to)");
    }
  }
}
