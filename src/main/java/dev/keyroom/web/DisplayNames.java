package dev.keyroom.web;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.session.Workroom;
import dev.keyroom.session.Workrooms;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.User;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Skill;
import dev.keyroom.vault.Skills;
import dev.keyroom.vault.Vault;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The names a page shows for the ids it holds: a workroom's, a person's, a key's (with its kind)
 * and a skill's. One that no longer exists reads "deleted workroom (wr_…)", never a bare id.
 */
final class DisplayNames {
  private final Map<String, String> providers = new HashMap<>();
  private final Map<String, String> workrooms = new HashMap<>();
  private final Map<String, String> people = new HashMap<>();
  private final Map<String, String> keys = new HashMap<>();
  private final Set<String> skills;

  private DisplayNames(
      Catalog catalog,
      Workrooms rooms,
      Tenancy tenancy,
      Vault vault,
      Skills skillList,
      TenantId tenant) {
    for (CredentialKind k : catalog.kinds()) {
      providers.put(k.id(), k.displayName());
    }
    for (Workroom w : rooms.list(tenant)) {
      workrooms.put(w.id().value(), w.name());
    }
    for (User u : tenancy.users(tenant)) {
      people.put(u.id().value(), u.isActive() ? u.name() : u.name() + " (disabled)");
    }
    for (CredentialInfo c : vault.list(CredentialScope.tenantSecrets(tenant))) {
      keys.put(c.id(), c.name() + " (" + provider(c.kind()) + ")");
    }
    this.skills = skillList.list(tenant).stream().map(Skill::name).collect(Collectors.toSet());
  }

  /** The names of everything in the tenant, read once for one page. */
  static DisplayNames of(
      TenantId tenant,
      Catalog catalog,
      Workrooms workrooms,
      Tenancy tenancy,
      Vault vault,
      Skills skills) {
    return new DisplayNames(catalog, workrooms, tenancy, vault, skills, tenant);
  }

  /** "Google Gemini" for {@code gemini}; an unknown kind reads as its id. */
  String provider(String kind) {
    return providers.getOrDefault(kind, kind);
  }

  /** The workroom's name, or "deleted workroom (wr_…)". */
  String workroom(String id) {
    return workrooms.getOrDefault(id, "deleted workroom (" + id + ")");
  }

  /** The person's name ("… (disabled)" when they are), or "deleted person (usr_…)". */
  String person(String id) {
    return people.getOrDefault(id, "deleted person (" + id + ")");
  }

  /** The key's name and kind, "prod (Google Gemini)", or "deleted key (cred_…)". */
  String key(String id) {
    return keys.getOrDefault(id, "deleted key (" + id + ")");
  }

  /** The skill's name, or "deleted skill (name)" when no skill is called that any more. */
  String skill(String name) {
    return skills.contains(name) ? name : "deleted skill (" + name + ")";
  }
}
