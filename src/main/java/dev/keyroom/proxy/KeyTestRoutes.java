package dev.keyroom.proxy;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.vault.CredentialId;

/**
 * {@code POST /api/v1/secrets/{id}/test}: the catalog's test call for a tenant secret (admins
 * only).
 */
public final class KeyTestRoutes implements ApiRoutes.Module {
  private final KeyTest keyTest;

  public KeyTestRoutes(KeyTest keyTest) {
    this.keyTest = keyTest;
  }

  @Override
  public void register(ApiRoutes r) {
    r.post(
        "/api/v1/secrets/{id}/test",
        (ctx, p) -> {
          p.requireAdmin("testing tenant skill secrets");
          Json.write(
              ctx,
              200,
              keyTest.test(p.tenant(), CredentialId.parse(ctx.pathParam("id")), p.auditName()));
        });
  }
}
