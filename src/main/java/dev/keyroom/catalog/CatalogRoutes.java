package dev.keyroom.catalog;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import java.util.Map;

/** {@code GET /api/v1/catalog}: the kinds of credentials Keyroom knows. */
public final class CatalogRoutes implements ApiRoutes.Module {
  private final Catalog catalog;

  public CatalogRoutes(Catalog catalog) {
    this.catalog = catalog;
  }

  @Override
  public void register(ApiRoutes r) {
    r.get("/api/v1/catalog", (ctx, p) -> Json.write(ctx, 200, Map.of("kinds", catalog.kinds())));
  }
}
