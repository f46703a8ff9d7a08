package dev.keyroom.web;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.tenancy.UserId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/v1/users/{id}/one-time-password}: an admin invites a newcomer to the web
 * sign-in. The password is answered once and stored only as a hash; it is refused for an account
 * someone already uses (see {@link Passwords#issueInvitation}).
 */
public final class InvitationRoutes implements ApiRoutes.Module {
  private final Passwords passwords;

  public InvitationRoutes(Passwords passwords) {
    this.passwords = passwords;
  }

  @Override
  public void register(ApiRoutes r) {
    r.post(
        "/api/v1/users/{id}/one-time-password",
        (ctx, p) -> {
          UserId id = UserId.parse(ctx.pathParam("id"));
          p.requireAdmin("issuing a one-time password");
          String password = passwords.issueInvitation(p.tenant(), id, p.auditName());
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("userId", id.value());
          out.put("oneTimePassword", password);
          out.put("note", "shown once; the user chooses their own password at the first sign-in");
          ctx.header("Cache-Control", "no-store");
          Json.write(ctx, 201, out);
        });
  }
}
