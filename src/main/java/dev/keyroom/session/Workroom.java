package dev.keyroom.session;

import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import java.util.List;

/** A tenant's workroom and the tools it enables. */
public record Workroom(WorkroomId id, TenantId tenant, String name, List<Tool> tools, long createdAt, long updatedAt) {

  /**
   * One enabled tool: a catalog kind and the tenant secret that serves it. {@code credential} is
   * null for user-home kinds: each person's own integration is used.
   */
  public record Tool(String kind, CredentialId credential) {}

  public java.util.Optional<Tool> tool(String kind) {
    return tools.stream().filter(t -> t.kind().equals(kind)).findFirst();
  }
}
