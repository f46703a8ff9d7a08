package dev.keyroom.vault;

import dev.keyroom.catalog.Home;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Whose fingerprints can be compared: one tenant, one home, one owner. The encoding is prefixed to
 * the value under the tenant's fingerprint key, so the same value stored by a member and by an
 * admin (or by two members) has unrelated fingerprints, and an admin cannot confirm a guess of a
 * member's secret by storing the guess and comparing. Length-prefixed, so no two different tuples
 * encode to the same bytes.
 */
public record FingerprintDomain(TenantId tenant, Home home, UserId owner) {

  public static FingerprintDomain of(CredentialScope scope) {
    return new FingerprintDomain(scope.tenant(), scope.home(), scope.owner());
  }

  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96);
    field(out, "keyroom.fingerprint.v2");
    field(out, tenant.value());
    field(out, home.wire());
    field(out, owner == null ? "" : owner.value());
    return out.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >>> 8);
    out.write(b.length);
    out.write(b, 0, b.length);
  }
}
