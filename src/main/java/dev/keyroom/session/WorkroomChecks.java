package dev.keyroom.session;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.catalog.Home;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a workroom's configuration and names the bad field: unknown kinds, secrets of another
 * tenant or of the wrong kind, duplicate tools or endpoints, and two parts that would set the same
 * environment variable (409).
 */
final class WorkroomChecks {
  static final int MAX_TOOLS = 100;
  static final int MAX_ENDPOINTS = 50;
  private static final Pattern ENDPOINT_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]{2,45}\\]");
  private static final Pattern DB_WORD = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.@-]{0,62}");

  private final Catalog catalog;
  private final Vault vault;
  private final EnvironmentContributors contributors;

  WorkroomChecks(Catalog catalog, Vault vault, EnvironmentContributors contributors) {
    this.catalog = catalog;
    this.vault = vault;
    this.contributors = contributors;
  }

  /** Checks everything; returns each environment variable with the field that sets it. */
  Map<String, String> check(TenantId tenant, Workroom w) {
    if (w.tools().size() > MAX_TOOLS) {
      throw new InvalidInputException(
          "tools", "at most " + MAX_TOOLS + " tools per workroom (got " + w.tools().size() + ")");
    }
    Map<CredentialId, String> envNames = new HashMap<>();
    Set<String> kinds = new HashSet<>();
    Set<CredentialId> secrets = new HashSet<>();
    for (int i = 0; i < w.tools().size(); i++) {
      Workroom.Tool t = w.tools().get(i);
      String field = "tools[" + i + "]";
      if (t == null) {
        throw new InvalidInputException(field, "must not be null");
      }
      CredentialKind kind = catalog.require(t.kind(), field + ".kind");
      boolean several = kind.nameIsEnvVar() && kind.home() == Home.TENANT;
      if (!kinds.add(kind.id()) && !several) {
        throw new ConflictException(field + ".kind: tool '" + kind.id() + "' is listed twice");
      }
      if (kind.home() == Home.USER) {
        if (t.credential() != null) {
          throw new InvalidInputException(
              field + ".secretId",
              "kind '"
                  + kind.id()
                  + "' uses each person's own integration; it takes no tenant secret");
        }
        continue;
      }
      CredentialInfo c = requireSecret(tenant, t.credential(), kind.id(), field + ".secretId");
      if (!secrets.add(t.credential())) {
        throw new ConflictException(
            field + ".secretId: this secret is already enabled by another tool");
      }
      if (kind.nameIsEnvVar()) {
        envNames.put(t.credential(), c.name());
      }
    }
    if (w.network().tailscale() != null) {
      requireSecret(
          tenant,
          w.network().tailscale(),
          EnvironmentLayout.TAILSCALE_KIND,
          "network.tailscaleSecretId");
    }
    checkEndpoints(tenant, w.network().endpoints());
    return EnvironmentLayout.check(
        catalog, w.tools(), envNames, w.network(), contributors.variableNames(w));
  }

  private void checkEndpoints(TenantId tenant, List<Workroom.Endpoint> endpoints) {
    if (endpoints.size() > MAX_ENDPOINTS) {
      throw new InvalidInputException(
          "network.endpoints",
          "at most " + MAX_ENDPOINTS + " endpoints (got " + endpoints.size() + ")");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < endpoints.size(); i++) {
      Workroom.Endpoint e = endpoints.get(i);
      String field = "network.endpoints[" + i + "]";
      if (e == null) {
        throw new InvalidInputException(field, "must not be null");
      }
      if (e.name() == null || !ENDPOINT_NAME.matcher(e.name()).matches()) {
        throw new InvalidInputException(
            field + ".name",
            "must be 1-32 characters of a-z, 0-9, '_' or '-', starting with a letter");
      }
      if (!names.add(EnvironmentLayout.prefix(e.name()))) {
        throw new ConflictException(
            field
                + ".name: another endpoint already uses the name '"
                + e.name()
                + "' (or one that gives the same variable names)");
      }
      if (e.host() == null || !HOST.matcher(e.host()).matches()) {
        throw new InvalidInputException(
            field + ".host",
            "must be a host name or IP address (letters, digits, '.', '-'; IPv6 in brackets)");
      }
      if (e.port() < 1 || e.port() > 65535) {
        throw new InvalidInputException(field + ".port", "must be from 1 to 65535");
      }
      if (e.protocol() == null || !EnvironmentLayout.PROTOCOLS.contains(e.protocol())) {
        throw new InvalidInputException(
            field + ".protocol",
            "must be one of "
                + String.join(", ", EnvironmentLayout.PROTOCOLS.stream().sorted().toList()));
      }
      if (e.user() != null && !DB_WORD.matcher(e.user()).matches()) {
        throw new InvalidInputException(
            field + ".user", "must be 1-63 characters of letters, digits, '_', '.', '@' or '-'");
      }
      if (e.database() != null && !DB_WORD.matcher(e.database()).matches()) {
        throw new InvalidInputException(
            field + ".database",
            "must be 1-63 characters of letters, digits, '_', '.', '@' or '-'");
      }
      if (e.password() != null) {
        requireSecret(
            tenant,
            e.password(),
            EnvironmentLayout.DATABASE_PASSWORD_KIND,
            field + ".passwordSecretId");
        if (e.user() == null) {
          throw new InvalidInputException(
              field + ".user", "is required when the endpoint has a password secret");
        }
      }
    }
  }

  /** A tenant secret of this tenant and kind; another tenant's id is simply not found. */
  private CredentialInfo requireSecret(
      TenantId tenant, CredentialId id, String kind, String field) {
    if (id == null) {
      throw new InvalidInputException(field, "a tenant secret of kind '" + kind + "' is required");
    }
    CredentialInfo c;
    try {
      c = vault.get(CredentialScope.tenantSecrets(tenant), id);
    } catch (NotFoundException e) {
      throw new InvalidInputException(field, "no tenant secret with that id (Config → Secrets)");
    }
    if (!c.kind().equals(kind)) {
      throw new InvalidInputException(
          field, "secret is of kind '" + c.kind() + "', not '" + kind + "'");
    }
    if (!c.isActive()) {
      throw new InvalidInputException(field, "secret is revoked; choose an active one");
    }
    return c;
  }
}
