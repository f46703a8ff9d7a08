package dev.keyroom.session;

import dev.keyroom.tenancy.TenantId;
import dev.keyroom.vault.CredentialId;
import java.util.List;
import java.util.Optional;

/** A tenant's workroom: the tools it enables ("Connect your tools") and its network access. */
public record Workroom(
    WorkroomId id,
    TenantId tenant,
    String name,
    List<Tool> tools,
    Network network,
    long createdAt,
    long updatedAt) {

  public Workroom {
    tools = List.copyOf(tools);
    network = network == null ? Network.NONE : network;
  }

  /** A workroom without network access (the shape of the first release). */
  public Workroom(
      WorkroomId id,
      TenantId tenant,
      String name,
      List<Tool> tools,
      long createdAt,
      long updatedAt) {
    this(id, tenant, name, tools, Network.NONE, createdAt, updatedAt);
  }

  /**
   * One enabled tool: a catalog kind and the tenant secret that serves it. {@code credential} is
   * null for user-home kinds: each person's own integration is used.
   */
  public record Tool(String kind, CredentialId credential) {}

  /** "Network access": the Tailscale auth key secret (may be null) and private endpoints. */
  public record Network(CredentialId tailscale, List<Endpoint> endpoints) {
    public static final Network NONE = new Network(null, List.of());

    public Network {
      endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    }
  }

  /**
   * A private endpoint the AI employee may reach. {@code password} is a tenant secret of kind
   * database-password (may be null), with the database {@code user} and {@code database} name.
   */
  public record Endpoint(
      String name,
      String host,
      int port,
      String protocol,
      CredentialId password,
      String user,
      String database) {}

  /** The first tool of this kind. */
  public Optional<Tool> tool(String kind) {
    return tools.stream().filter(t -> t.kind().equals(kind)).findFirst();
  }
}
