package dev.keyroom.session;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.store.Identifiers;
import dev.keyroom.vault.CredentialId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/workrooms}: admins create, edit and delete workrooms ("Connect your tools" and
 * "Network access"); every user of the tenant and the platform's service token list them.
 */
public final class WorkroomRoutes implements ApiRoutes.Module {
  private final Workrooms workrooms;
  private final Sessions sessions;

  public WorkroomRoutes(Workrooms workrooms, Sessions sessions) {
    this.workrooms = workrooms;
    this.sessions = sessions;
  }

  record ToolBody(String kind, String secretId) {}

  record EndpointBody(String name, String host, Integer port, String protocol, String passwordSecretId, String user,
      String database) {}

  record NetworkBody(String tailscaleSecretId, List<EndpointBody> endpoints) {}

  record WorkroomBody(String name, List<ToolBody> tools, NetworkBody network) {}

  @Override
  public void register(ApiRoutes r) {
    r.get("/api/v1/workrooms", (ctx, p) -> Json.write(ctx, 200,
        Map.of("workrooms", workrooms.list(p.tenant()).stream().map(w -> view(w)).toList())));
    r.post("/api/v1/workrooms", (ctx, p) -> {
      p.requireAdmin("creating workrooms");
      WorkroomBody body = Json.read(ctx, WorkroomBody.class);
      if (body.tools() == null) {
        throw new InvalidInputException("tools", "is required (may be empty)");
      }
      Workroom w = workrooms.create(p.tenant(), new Workrooms.Spec(body.name(), tools(body.tools()), network(body.network())),
          p.auditName());
      Json.write(ctx, 201, view(w));
    });
    r.get("/api/v1/workrooms/{id}", (ctx, p) ->
        Json.write(ctx, 200, view(workrooms.get(p.tenant(), WorkroomId.parse(ctx.pathParam("id"))))));
    r.patch("/api/v1/workrooms/{id}", (ctx, p) -> {
      WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
      p.requireAdmin("changing workrooms");
      WorkroomBody body = Json.read(ctx, WorkroomBody.class);
      Workroom w = workrooms.update(p.tenant(), id, new Workrooms.Spec(body.name(),
          body.tools() == null ? null : tools(body.tools()), body.network() == null ? null : network(body.network())),
          p.auditName());
      Json.write(ctx, 200, view(w));
    });
    r.delete("/api/v1/workrooms/{id}", (ctx, p) -> {
      WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
      p.requireAdmin("deleting workrooms");
      workrooms.get(p.tenant(), id);
      for (SessionInfo s : sessions.live(p.tenant(), id)) {
        sessions.end(p.tenant(), s.id(), "workroom deleted", p.auditName());
      }
      workrooms.delete(p.tenant(), id, p.auditName());
      ctx.status(204);
    });
  }

  private static List<Workroom.Tool> tools(List<ToolBody> body) {
    List<Workroom.Tool> out = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      ToolBody t = body.get(i);
      if (t == null) {
        throw new InvalidInputException("tools[" + i + "]", "must be an object with kind and secretId");
      }
      if (t.kind() == null) {
        throw new InvalidInputException("tools[" + i + "].kind", "is required");
      }
      out.add(new Workroom.Tool(t.kind(), credential(t.secretId(), "tools[" + i + "].secretId")));
    }
    return out;
  }

  private static Workroom.Network network(NetworkBody body) {
    if (body == null) {
      return Workroom.Network.NONE;
    }
    List<Workroom.Endpoint> endpoints = new ArrayList<>();
    List<EndpointBody> raw = body.endpoints() == null ? List.of() : body.endpoints();
    for (int i = 0; i < raw.size(); i++) {
      EndpointBody e = raw.get(i);
      String field = "network.endpoints[" + i + "]";
      if (e == null) {
        throw new InvalidInputException(field, "must be an object");
      }
      if (e.port() == null) {
        throw new InvalidInputException(field + ".port", "is required");
      }
      endpoints.add(new Workroom.Endpoint(e.name(), e.host(), e.port(), e.protocol(),
          credential(e.passwordSecretId(), field + ".passwordSecretId"), e.user(), e.database()));
    }
    return new Workroom.Network(credential(body.tailscaleSecretId(), "network.tailscaleSecretId"), endpoints);
  }

  private static CredentialId credential(String raw, String field) {
    if (raw == null) {
      return null;
    }
    if (!Identifiers.hasShape(raw, CredentialId.PREFIX)) {
      throw new InvalidInputException(field, "is not a secret id (cred_…)");
    }
    return new CredentialId(raw);
  }

  static Map<String, Object> view(Workroom w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", w.id().value());
    m.put("name", w.name());
    m.put("tools", w.tools().stream().map(t -> {
      Map<String, Object> tm = new LinkedHashMap<>();
      tm.put("kind", t.kind());
      tm.put("secretId", t.credential() == null ? null : t.credential().value());
      return tm;
    }).toList());
    Map<String, Object> net = new LinkedHashMap<>();
    net.put("tailscaleSecretId", w.network().tailscale() == null ? null : w.network().tailscale().value());
    net.put("endpoints", w.network().endpoints().stream().map(e -> {
      Map<String, Object> em = new LinkedHashMap<>();
      em.put("name", e.name());
      em.put("host", e.host());
      em.put("port", e.port());
      em.put("protocol", e.protocol());
      em.put("passwordSecretId", e.password() == null ? null : e.password().value());
      em.put("user", e.user());
      em.put("database", e.database());
      return em;
    }).toList());
    m.put("network", net);
    m.put("createdAt", w.createdAt());
    m.put("updatedAt", w.updatedAt());
    return m;
  }
}
