package dev.keyroom.audit;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.api.PageParams;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.store.Keyset;
import dev.keyroom.store.Page;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/v1/audit} (filters, keyset paging: {@code before}/{@code after} a sequence
 * number) and {@code GET /api/v1/audit/verify}, admins only.
 */
public final class AuditRoutes implements ApiRoutes.Module {
  static final int DEFAULT_LIMIT = 100;

  private final AuditLog audit;

  public AuditRoutes(AuditLog audit) {
    this.audit = audit;
  }

  @Override
  public void register(ApiRoutes r) {
    r.get(
        "/api/v1/audit",
        (ctx, p) -> {
          p.requireAdmin("reading the audit log");
          PageParams paging = PageParams.read(ctx, DEFAULT_LIMIT, AuditLog.MAX_PAGE);
          Long from = longParam(ctx, "from");
          Long to = longParam(ctx, "to");
          if (from != null && to != null && to <= from) {
            throw new InvalidInputException(
                "to",
                "must be later than from (both epoch milliseconds; from inclusive, to exclusive)");
          }
          Page<AuditRecord> page =
              audit.page(
                  p.tenant(),
                  new AuditLog.Search(
                      blank(ctx, "actor"),
                      blank(ctx, "action"),
                      blank(ctx, "target"),
                      blank(ctx, "session"),
                      blank(ctx, "workroom"),
                      from,
                      to),
                  start(paging),
                  paging.limit());
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("events", page.rows());
          body.put("next", page.hasNext() ? page.last().seq() : null);
          body.put("prev", page.hasPrevious() ? page.first().seq() : null);
          Json.write(ctx, 200, body);
        });
    r.get(
        "/api/v1/audit/verify",
        (ctx, p) -> {
          p.requireAdmin("verifying the audit log");
          Json.write(ctx, 200, audit.verify(p.tenant()));
        });
  }

  /**
   * Where a page of the newest-first log starts: {@code before=N} lists rows older than N (the next
   * page), {@code after=N} rows newer than N (the previous page).
   */
  public static Keyset.From start(PageParams paging) {
    if (paging.before() != null) {
      return Keyset.From.after(PageParams.sequence("before", paging.before(), "an audit event"));
    }
    if (paging.after() != null) {
      return Keyset.From.before(PageParams.sequence("after", paging.after(), "an audit event"));
    }
    return Keyset.From.start();
  }

  private static String blank(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null || v.isBlank() ? null : v;
  }

  private static Long longParam(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(name, "must be an integer (epoch milliseconds)");
    }
  }
}
