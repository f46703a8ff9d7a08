package dev.keyroom.vault;

import dev.keyroom.catalog.Home;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Associated data bound into every credential ciphertext: tenant, home, owner, credential id,
 * version and kind. A ciphertext copied to another row, tenant, home or version fails to open.
 * Length-prefixed, so no two different tuples encode to the same bytes.
 */
public record CredentialAad(
    TenantId tenant, Home home, UserId owner, CredentialId credential, int version, String kind) {

  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(160);
    field(out, "keyroom.credential.v1");
    field(out, tenant.value());
    field(out, home.wire());
    field(out, owner == null ? "" : owner.value());
    field(out, credential.value());
    field(out, Integer.toString(version));
    field(out, kind);
    return out.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >>> 8);
    out.write(b.length);
    out.write(b, 0, b.length);
  }
}
