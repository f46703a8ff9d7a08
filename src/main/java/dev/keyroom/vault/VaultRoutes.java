package dev.keyroom.vault;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Json;
import dev.keyroom.api.PageParams;
import dev.keyroom.catalog.Catalog;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.store.Page;
import dev.keyroom.tenancy.Principal;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Tenant skill secrets ({@code /api/v1/secrets}, admins only) and the caller's own integrations
 * ({@code /api/v1/me/integrations}). Values go in; only metadata comes out.
 */
public final class VaultRoutes implements ApiRoutes.Module {
  private final Vault vault;
  private final Skills skills;
  private final CredentialQuery query;

  public VaultRoutes(Vault vault, Skills skills, Catalog catalog) {
    this.vault = vault;
    this.skills = skills;
    this.query = new CredentialQuery(catalog);
  }

  record CreateCredential(String kind, String name, String value, java.util.List<String> hosts) {
    @Override
    public String toString() {
      return "CreateCredential[kind="
          + kind
          + ", name="
          + name
          + ", value=[REDACTED], hosts="
          + hosts
          + "]";
    }
  }

  /** What an owner may change of an integration besides its value: the git hosts it is bound to. */
  record UpdateIntegration(java.util.List<String> hosts) {}

  record ReplaceValue(String value) {
    @Override
    public String toString() {
      return "ReplaceValue[value=[REDACTED]]";
    }
  }

  record Revoke(Integer version) {}

  record CreateSkill(String name, String description, java.util.List<String> kinds) {}

  record UpdateSkill(String description, java.util.List<String> kinds) {}

  @Override
  public void register(ApiRoutes r) {
    credentialRoutes(
        r,
        "/api/v1/secrets",
        p -> {
          p.requireAdmin("managing tenant skill secrets");
          return CredentialScope.tenantSecrets(p.tenant());
        });
    credentialRoutes(
        r,
        "/api/v1/me/integrations",
        p -> CredentialScope.integrationsOf(p.tenant(), p.requireUser("managing integrations")));
    r.patch(
        "/api/v1/me/integrations/{id}",
        (ctx, p) -> {
          CredentialScope scope =
              CredentialScope.integrationsOf(p.tenant(), p.requireUser("managing integrations"));
          CredentialId id = id(ctx);
          UpdateIntegration req = Json.read(ctx, UpdateIntegration.class);
          if (req.hosts() == null) {
            throw new InvalidInputException(
                "hosts", "is required (the git hosts the integration may be handed to)");
          }
          Json.write(ctx, 200, vault.setHosts(scope, id, req.hosts(), p.auditName()));
        });

    r.get(
        "/api/v1/skills",
        (ctx, p) -> Json.write(ctx, 200, Map.of("skills", skills.list(p.tenant()))));
    r.post(
        "/api/v1/skills",
        (ctx, p) -> {
          p.requireAdmin("creating skills");
          CreateSkill req = Json.read(ctx, CreateSkill.class);
          Json.write(
              ctx,
              201,
              skills.create(p.tenant(), req.name(), req.description(), req.kinds(), p.auditName()));
        });
    r.get(
        "/api/v1/skills/{id}",
        (ctx, p) ->
            Json.write(ctx, 200, skills.get(p.tenant(), SkillId.parse(ctx.pathParam("id")))));
    r.patch(
        "/api/v1/skills/{id}",
        (ctx, p) -> {
          SkillId id = SkillId.parse(ctx.pathParam("id"));
          p.requireAdmin("changing skills");
          UpdateSkill req = Json.read(ctx, UpdateSkill.class);
          Json.write(
              ctx,
              200,
              skills.update(p.tenant(), id, req.description(), req.kinds(), p.auditName()));
        });
    r.delete(
        "/api/v1/skills/{id}",
        (ctx, p) -> {
          SkillId id = SkillId.parse(ctx.pathParam("id"));
          p.requireAdmin("deleting skills");
          skills.delete(p.tenant(), id, p.auditName());
          ctx.status(204);
        });
  }

  private void credentialRoutes(
      ApiRoutes r, String base, Function<Principal, CredentialScope> scopeOf) {
    r.get(
        base,
        (ctx, p) -> {
          CredentialScope scope = scopeOf.apply(p);
          PageParams paging = PageParams.read(ctx, Vault.MAX_PAGE, Vault.MAX_PAGE);
          Vault.Search search =
              query.search(param(ctx, "q"), param(ctx, "kind"), param(ctx, "name"), "kind");
          Page<CredentialInfo> page =
              vault.page(scope, search, CredentialQuery.start(paging), paging.limit());
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("credentials", page.rows());
          body.put("next", page.hasNext() ? CredentialQuery.cursor(page.last()) : null);
          body.put("prev", page.hasPrevious() ? CredentialQuery.cursor(page.first()) : null);
          Json.write(ctx, 200, body);
        });
    r.post(
        base,
        (ctx, p) -> {
          CredentialScope scope = scopeOf.apply(p);
          CreateCredential req = Json.read(ctx, CreateCredential.class);
          if (req.kind() == null) {
            throw new InvalidInputException("kind", "is required");
          }
          Json.write(
              ctx,
              201,
              vault.create(
                  scope, req.kind(), req.name(), value(req.value()), req.hosts(), p.auditName()));
        });
    r.get(
        base + "/{id}",
        (ctx, p) -> {
          CredentialScope scope = scopeOf.apply(p);
          Json.write(ctx, 200, vault.get(scope, id(ctx)));
        });
    r.put(
        base + "/{id}/value",
        (ctx, p) -> {
          CredentialScope scope = scopeOf.apply(p);
          CredentialId id = id(ctx);
          ReplaceValue req = Json.read(ctx, ReplaceValue.class);
          Json.write(
              ctx,
              200,
              withReach(vault.replaceReported(scope, id, value(req.value()), p.auditName())));
        });
    r.post(
        base + "/{id}/revoke",
        (ctx, p) -> {
          CredentialScope scope = scopeOf.apply(p);
          CredentialId id = id(ctx);
          Revoke req = Json.readOptional(ctx, Revoke.class, new Revoke(null));
          if (req.version() != null && req.version() < 1) {
            throw new InvalidInputException("version", "must be 1 or more");
          }
          Json.write(
              ctx, 200, withReach(vault.revokeReported(scope, id, req.version(), p.auditName())));
        });
    r.delete(
        base + "/{id}",
        (ctx, p) -> {
          CredentialScope scope = scopeOf.apply(p);
          vault.delete(scope, id(ctx), p.auditName());
          ctx.status(204);
        });
  }

  /** The credential's metadata plus what the change reached (e.g. {@code affectedSessions}). */
  private static Map<String, Object> withReach(Vault.Changed changed) {
    Map<String, Object> body =
        Json.MAPPER.convertValue(
            changed.credential(),
            new com.fasterxml.jackson.core.type.TypeReference<
                java.util.LinkedHashMap<String, Object>>() {});
    body.put("affectedSessions", changed.affected().toJson());
    return body;
  }

  private static CredentialId id(Context ctx) {
    return CredentialId.parse(ctx.pathParam("id"));
  }

  private static SecretValue value(String v) {
    if (v == null) {
      throw new InvalidInputException("value", "is required");
    }
    return SecretValue.ofUtf8(v);
  }

  /** A query parameter, trimmed; null when absent or blank. */
  private static String param(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null || v.isBlank() ? null : v.strip();
  }
}
