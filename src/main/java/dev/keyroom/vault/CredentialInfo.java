package dev.keyroom.vault;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * What Keyroom shows of a credential: metadata, a masked hint and a keyed fingerprint. There is no
 * field for the value. {@code hosts} are the git hosts a git credential may be handed to (null for
 * kinds git never receives).
 */
public record CredentialInfo(
    String id,
    String kind,
    String name,
    String home,
    String owner,
    int version,
    String status,
    List<String> hosts,
    String hint,
    String fingerprint,
    long createdAt,
    long updatedAt,
    LastUsed lastUsed,
    List<VersionInfo> versions) {

  /** When and by whom the credential was last used (filled by the proxy and sessions). */
  public record LastUsed(
      long at, String sessionId, String workroomId, String skill, String userId) {}

  /** One version of the value. */
  public record VersionInfo(
      int version,
      String status,
      String hint,
      String fingerprint,
      long createdAt,
      Long revokedAt) {}

  @JsonIgnore
  public boolean isActive() {
    return "active".equals(status);
  }
}
