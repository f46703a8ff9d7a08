package dev.keyroom.tenancy;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/me}, users, the caller's API tokens and the tenant's service tokens. Service
 * tokens act for members, so only the operator mints them ({@code keyroom admin
 * create-service-token}); an admin may list and revoke them.
 */
public final class TenancyRoutes implements ApiRoutes.Module {
  private final Tenancy tenancy;
  private final ApiTokens tokens;

  public TenancyRoutes(Tenancy tenancy, ApiTokens tokens) {
    this.tenancy = tenancy;
    this.tokens = tokens;
  }

  record CreateUser(String name, String role) {}

  record ChangeUser(String role) {}

  record CreateToken(String name) {}

  @Override
  public void register(ApiRoutes r) {
    r.get(
        "/api/v1/me",
        (ctx, p) -> {
          Map<String, Object> me = new LinkedHashMap<>();
          me.put("tenantId", p.tenant().value());
          if (p.service()) {
            me.put("kind", "service");
            me.put("tokenId", p.token().value());
          } else {
            User u = tenancy.user(p.tenant(), p.user());
            me.put("kind", "user");
            me.put("user", view(u));
          }
          Json.write(ctx, 200, me);
        });

    r.get(
        "/api/v1/users",
        (ctx, p) -> {
          if (!p.isAdmin() && !p.service()) {
            throw new ForbiddenException(
                "listing users requires the admin role or the service token");
          }
          Json.write(
              ctx,
              200,
              Map.of(
                  "users", tenancy.users(p.tenant()).stream().map(TenancyRoutes::view).toList()));
        });
    r.post(
        "/api/v1/users",
        (ctx, p) -> {
          p.requireAdmin("creating users");
          CreateUser req = Json.read(ctx, CreateUser.class);
          Role role = req.role() == null ? Role.MEMBER : Role.parse(req.role(), "role");
          Json.write(
              ctx, 201, view(tenancy.createUser(p.tenant(), req.name(), role, p.auditName())));
        });
    r.get(
        "/api/v1/users/{id}",
        (ctx, p) -> {
          UserId id = UserId.parse(ctx.pathParam("id"));
          if (!p.isAdmin() && !p.service() && !id.equals(p.user())) {
            throw new ForbiddenException("reading another user requires the admin role");
          }
          Json.write(ctx, 200, view(tenancy.user(p.tenant(), id)));
        });
    r.patch(
        "/api/v1/users/{id}",
        (ctx, p) -> {
          UserId id = UserId.parse(ctx.pathParam("id"));
          p.requireAdmin("changing a user's role");
          ChangeUser req = Json.read(ctx, ChangeUser.class);
          if (req.role() == null) {
            throw new InvalidInputException("role", "is required");
          }
          Json.write(
              ctx,
              200,
              view(
                  tenancy.changeRole(
                      p.tenant(), id, Role.parse(req.role(), "role"), p.auditName())));
        });
    r.post(
        "/api/v1/users/{id}/disable",
        (ctx, p) -> {
          UserId id = UserId.parse(ctx.pathParam("id"));
          p.requireAdmin("disabling a user");
          Json.write(ctx, 200, view(tenancy.disable(p.tenant(), id, p.auditName())));
        });

    r.get(
        "/api/v1/me/tokens",
        (ctx, p) -> {
          UserId me = p.requireUser("listing your tokens");
          Json.write(ctx, 200, Map.of("tokens", tokens.list(p.tenant(), me)));
        });
    r.post(
        "/api/v1/me/tokens",
        (ctx, p) -> {
          UserId me = p.requireUser("creating a token");
          CreateToken req = Json.read(ctx, CreateToken.class);
          ApiTokens.Issued issued = tokens.issueForUser(p.tenant(), me, req.name(), p.auditName());
          Json.write(ctx, 201, issuedView(issued, "user"));
        });
    r.delete(
        "/api/v1/me/tokens/{id}",
        (ctx, p) -> {
          UserId me = p.requireUser("revoking a token");
          tokens.revoke(p.tenant(), me, TokenId.parse(ctx.pathParam("id")), p.auditName());
          ctx.status(204);
        });

    r.get(
        "/api/v1/service-tokens",
        (ctx, p) -> {
          p.requireAdmin("listing service tokens");
          Json.write(ctx, 200, Map.of("tokens", tokens.list(p.tenant(), null)));
        });
    r.delete(
        "/api/v1/service-tokens/{id}",
        (ctx, p) -> {
          p.requireAdmin("revoking a service token");
          tokens.revoke(p.tenant(), null, TokenId.parse(ctx.pathParam("id")), p.auditName());
          ctx.status(204);
        });
  }

  static Map<String, Object> view(User u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", u.id().value());
    m.put("name", u.name());
    m.put("role", u.role().wire());
    m.put("status", u.status());
    m.put("createdAt", u.createdAt());
    return m;
  }

  private static Map<String, Object> issuedView(ApiTokens.Issued issued, String kind) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", issued.id().value());
    m.put("kind", kind);
    m.put("token", issued.token());
    m.put("note", "this token is shown once; Keyroom stores only its hash");
    return m;
  }

  static List<String> roles() {
    return List.of("admin", "member");
  }
}
