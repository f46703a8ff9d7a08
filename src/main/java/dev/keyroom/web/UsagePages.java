package dev.keyroom.web;

import java.util.LinkedHashMap;
import java.util.Map;

/** Usage: spend by provider, workroom, user and key over a period. */
public final class UsagePages {
  private final WebRouter router;

  UsagePages(WebRouter router) {
    this.router = router;
  }

  void register() {
    router.page("/usage", WebRouter.Access.ADMIN, (ctx, user) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      router.render(ctx, user, 200, "usage.jte", "Usage", "usage", m);
    });
  }
}
