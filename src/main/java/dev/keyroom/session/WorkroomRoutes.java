package dev.keyroom.session;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.error.ForbiddenException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.store.Identifiers;
import dev.keyroom.tenancy.Principal;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.CredentialId;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/workrooms}: admins create, edit and delete workrooms ("Connect your tools",
 * "Network access" and who may use them); admins and the platform's service token see every
 * workroom, any other user only those they are a member of (another is 404).
 */
public final class WorkroomRoutes implements ApiRoutes.Module {
  private final Workrooms workrooms;

  public WorkroomRoutes(Workrooms workrooms) {
    this.workrooms = workrooms;
  }

  record ToolBody(String kind, String secretId) {}

  record EndpointBody(
      String name,
      String host,
      Integer port,
      String protocol,
      String passwordSecretId,
      String user,
      String database) {}

  record NetworkBody(String tailscaleSecretId, List<EndpointBody> endpoints) {}

  record MemberBody(String userId, String name) {}

  record WorkroomBody(
      String name, List<ToolBody> tools, NetworkBody network, List<MemberBody> members) {}

  record MembersBody(List<MemberBody> members) {}

  @Override
  public void register(ApiRoutes r) {
    r.get(
        "/api/v1/workrooms",
        (ctx, p) ->
            Json.write(
                ctx,
                200,
                Map.of(
                    "workrooms",
                    workrooms.list(p.tenant(), Workrooms.Viewer.of(p)).stream()
                        .map(w -> view(w, p))
                        .toList())));
    r.post(
        "/api/v1/workrooms",
        (ctx, p) -> {
          p.requireAdmin("creating workrooms");
          WorkroomBody body = Json.read(ctx, WorkroomBody.class);
          if (body.tools() == null) {
            throw new InvalidInputException("tools", "is required (may be empty)");
          }
          Workroom w =
              workrooms.create(
                  p.tenant(),
                  new Workrooms.Spec(
                      body.name(),
                      tools(body.tools()),
                      network(body.network()),
                      members(body.members())),
                  p.auditName());
          Json.write(ctx, 201, view(w, p));
        });
    r.get(
        "/api/v1/workrooms/{id}",
        (ctx, p) ->
            Json.write(
                ctx,
                200,
                view(
                    workrooms.get(
                        p.tenant(), WorkroomId.parse(ctx.pathParam("id")), Workrooms.Viewer.of(p)),
                    p)));
    r.patch(
        "/api/v1/workrooms/{id}",
        (ctx, p) -> {
          WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
          p.requireAdmin("changing workrooms");
          WorkroomBody body = Json.read(ctx, WorkroomBody.class);
          Workrooms.Changed changed =
              workrooms.change(
                  p.tenant(),
                  id,
                  new Workrooms.Spec(
                      body.name(),
                      body.tools() == null ? null : tools(body.tools()),
                      body.network() == null ? null : network(body.network()),
                      body.members() == null ? null : members(body.members())),
                  p.auditName());
          Map<String, Object> out = view(changed.workroom(), p);
          out.put("affectedSessions", affected(changed.ended()));
          Json.write(ctx, 200, out);
        });
    r.delete(
        "/api/v1/workrooms/{id}",
        (ctx, p) -> {
          WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
          p.requireAdmin("deleting workrooms");
          Json.write(
              ctx,
              200,
              Map.of(
                  "affectedSessions", affected(workrooms.delete(p.tenant(), id, p.auditName()))));
        });
    registerMembers(r);
  }

  /**
   * {@code /api/v1/workrooms/{id}/members}: admins (and, to read, the platform) manage who may use
   * a workroom.
   */
  private void registerMembers(ApiRoutes r) {
    WorkroomMembers members = workrooms.members();
    r.get(
        "/api/v1/workrooms/{id}/members",
        (ctx, p) -> {
          WorkroomId id = visible(p, ctx);
          if (!p.isAdmin() && !p.service()) {
            throw new ForbiddenException("listing a workroom's members requires the admin role");
          }
          Json.write(
              ctx,
              200,
              Map.of(
                  "members",
                  members.list(p.tenant(), id).stream().map(WorkroomRoutes::memberView).toList()));
        });
    r.post(
        "/api/v1/workrooms/{id}/members",
        (ctx, p) -> {
          WorkroomId id = visible(p, ctx);
          p.requireAdmin("adding workroom members");
          MemberBody body = Json.read(ctx, MemberBody.class);
          WorkroomMembers.Added added =
              members.add(
                  p.tenant(),
                  id,
                  WorkroomMembers.UserRef.parse(body.userId(), body.name(), "user"),
                  p.auditName());
          Json.write(ctx, added.created() ? 201 : 200, memberView(added.member()));
        });
    r.put(
        "/api/v1/workrooms/{id}/members",
        (ctx, p) -> {
          WorkroomId id = visible(p, ctx);
          p.requireAdmin("changing workroom members");
          MembersBody body = Json.read(ctx, MembersBody.class);
          if (body.members() == null) {
            throw new InvalidInputException("members", "is required (may be empty)");
          }
          WorkroomMembers.Replaced replaced =
              members.replace(p.tenant(), id, members(body.members()), p.auditName());
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("members", replaced.members().stream().map(WorkroomRoutes::memberView).toList());
          out.put("removed", replaced.removed().stream().map(x -> x.user().value()).toList());
          out.put("affectedSessions", affected(replaced.ended()));
          Json.write(ctx, 200, out);
        });
    r.delete(
        "/api/v1/workrooms/{id}/members/{userId}",
        (ctx, p) -> {
          WorkroomId id = visible(p, ctx);
          p.requireAdmin("removing workroom members");
          UserId user = UserId.parse(ctx.pathParam("userId"));
          WorkroomMembers.Removed removed = members.remove(p.tenant(), id, user, p.auditName());
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("userId", removed.user().value());
          out.put("affectedSessions", affected(removed.ended()));
          Json.write(ctx, 200, out);
        });
  }

  /** The workroom id of the path, if the caller may see it (else 404). */
  private WorkroomId visible(Principal p, Context ctx) {
    WorkroomId id = WorkroomId.parse(ctx.pathParam("id"));
    workrooms.get(p.tenant(), id, Workrooms.Viewer.of(p));
    return id;
  }

  private static List<WorkroomMembers.UserRef> members(List<MemberBody> body) {
    if (body == null) {
      return null;
    }
    List<WorkroomMembers.UserRef> out = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      MemberBody m = body.get(i);
      if (m == null) {
        throw new InvalidInputException(
            "members[" + i + "]", "must be an object with userId or name");
      }
      out.add(WorkroomMembers.UserRef.parse(m.userId(), m.name(), "members[" + i + "]"));
    }
    return out;
  }

  static Map<String, Object> memberView(WorkroomMembers.Member m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("userId", m.user().value());
    out.put("name", m.name());
    out.put("addedBy", m.addedBy());
    out.put("addedAt", m.addedAt());
    return out;
  }

  /** The same shape as a revocation's {@code affectedSessions}: these sessions were ended. */
  static Map<String, Object> affected(WorkroomMembers.EndedSessions ended) {
    return new dev.keyroom.vault.AffectedSessions(
            dev.keyroom.vault.AffectedSessions.Action.ENDED,
            ended.sessions().stream().map(SessionId::value).toList())
        .toJson();
  }

  private static List<Workroom.Tool> tools(List<ToolBody> body) {
    List<Workroom.Tool> out = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      ToolBody t = body.get(i);
      if (t == null) {
        throw new InvalidInputException(
            "tools[" + i + "]", "must be an object with kind and secretId");
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
      endpoints.add(
          new Workroom.Endpoint(
              e.name(),
              e.host(),
              e.port(),
              e.protocol(),
              credential(e.passwordSecretId(), field + ".passwordSecretId"),
              e.user(),
              e.database()));
    }
    return new Workroom.Network(
        credential(body.tailscaleSecretId(), "network.tailscaleSecretId"), endpoints);
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

  /** The workroom; admins and the platform also see its members. */
  private Map<String, Object> view(Workroom w, Principal p) {
    Map<String, Object> m = view(w);
    if (p.isAdmin() || p.service()) {
      m.put(
          "members",
          workrooms.members().of(p.tenant(), w.id()).stream()
              .map(x -> Map.of("userId", x.user().value(), "name", x.name()))
              .toList());
    }
    return m;
  }

  static Map<String, Object> view(Workroom w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", w.id().value());
    m.put("name", w.name());
    m.put(
        "tools",
        w.tools().stream()
            .map(
                t -> {
                  Map<String, Object> tm = new LinkedHashMap<>();
                  tm.put("kind", t.kind());
                  tm.put("secretId", t.credential() == null ? null : t.credential().value());
                  return tm;
                })
            .toList());
    Map<String, Object> net = new LinkedHashMap<>();
    net.put(
        "tailscaleSecretId",
        w.network().tailscale() == null ? null : w.network().tailscale().value());
    net.put(
        "endpoints",
        w.network().endpoints().stream()
            .map(
                e -> {
                  Map<String, Object> em = new LinkedHashMap<>();
                  em.put("name", e.name());
                  em.put("host", e.host());
                  em.put("port", e.port());
                  em.put("protocol", e.protocol());
                  em.put("passwordSecretId", e.password() == null ? null : e.password().value());
                  em.put("user", e.user());
                  em.put("database", e.database());
                  return em;
                })
            .toList());
    m.put("network", net);
    m.put("createdAt", w.createdAt());
    m.put("updatedAt", w.updatedAt());
    return m;
  }
}
