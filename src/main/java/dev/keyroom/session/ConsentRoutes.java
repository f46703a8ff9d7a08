package dev.keyroom.session;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.tenancy.UserId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /api/v1/me/consents}: a user's standing consent that sessions the platform starts for them
 * in a workroom may use their own integrations. Only the user themselves sees or changes it.
 */
public final class ConsentRoutes implements ApiRoutes.Module {
  private final IntegrationConsents consents;

  public ConsentRoutes(IntegrationConsents consents) {
    this.consents = consents;
  }

  @Override
  public void register(ApiRoutes r) {
    r.get(
        "/api/v1/me/consents",
        (ctx, p) -> {
          UserId me = p.requireUser("listing your consents");
          Json.write(
              ctx,
              200,
              Map.of(
                  "consents",
                  consents.list(p.tenant(), me).stream().map(ConsentRoutes::view).toList()));
        });
    r.put(
        "/api/v1/me/consents/{workroomId}",
        (ctx, p) -> {
          UserId me = p.requireUser("consenting");
          Json.write(
              ctx,
              200,
              view(
                  consents.grant(
                      p.tenant(),
                      me,
                      WorkroomId.parse(ctx.pathParam("workroomId")),
                      p.auditName())));
        });
    r.delete(
        "/api/v1/me/consents/{workroomId}",
        (ctx, p) -> {
          UserId me = p.requireUser("withdrawing consent");
          Json.write(
              ctx,
              200,
              Map.of(
                  "affectedSessions",
                  consents
                      .withdraw(
                          p.tenant(),
                          me,
                          WorkroomId.parse(ctx.pathParam("workroomId")),
                          p.auditName())
                      .toJson()));
        });
  }

  private static Map<String, Object> view(IntegrationConsents.Consent c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workroomId", c.workroomId().value());
    m.put("workroomName", c.workroomName());
    m.put("grantedAt", c.grantedAt());
    return m;
  }
}
