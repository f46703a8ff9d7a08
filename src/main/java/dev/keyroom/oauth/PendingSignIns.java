package dev.keyroom.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyroom.crypto.TenantKeys;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.TokenFormat;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.CredentialId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sign-ins between "start" and the provider's redirect back. The {@code state} is stored only as
 * its hash, is consumed exactly once (a replayed state finds nothing), and expires. The PKCE
 * verifier and nonce are encrypted with the tenant's data key, bound to the state.
 */
final class PendingSignIns {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A consumed sign-in. */
  record Pending(
      TenantId tenant,
      UserId user,
      String provider,
      String name,
      CredentialId reconnect,
      List<String> scopes,
      String verifier,
      String nonce,
      String bindingHash,
      String returnTo,
      long expiresAt) {
    @Override
    public String toString() {
      return "Pending[tenant="
          + tenant
          + ", user="
          + user
          + ", provider="
          + provider
          + ", verifier=[REDACTED]]";
    }
  }

  private final Database db;
  private final TenantKeys keys;

  PendingSignIns(Database db, TenantKeys keys) {
    this.db = db;
    this.keys = keys;
  }

  /** Stores a sign-in; returns its state. */
  String create(
      TenantId tenant,
      UserId user,
      String provider,
      String name,
      CredentialId reconnect,
      List<String> scopes,
      Pkce pkce,
      String nonce,
      String bindingHash,
      String returnTo,
      long now,
      long expiresAt) {
    String state = Pkce.random();
    String stateHash = TokenFormat.hash(state);
    byte[] secrets;
    try {
      secrets =
          MAPPER.writeValueAsBytes(
              Map.of("verifier", pkce.verifier(), "nonce", nonce == null ? "" : nonce));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode sign-in secrets", e);
    }
    String sealed =
        Base64.getEncoder()
            .encodeToString(keys.encrypt(tenant, secrets, aad(stateHash, tenant, user, provider)));
    db.jdbi()
        .useTransaction(
            h -> {
              h.createUpdate("DELETE FROM oauth_pending WHERE expires_at < :now")
                  .bind("now", now)
                  .execute();
              h.createUpdate(
                      "INSERT INTO oauth_pending (state_hash, tenant_id, user_id, provider, name, reconnect_id, scopes, secrets,"
                          + " binding_hash, return_to, created_at, expires_at) VALUES (:h, :t, :u, :p, :n, :r, :s, :sec, :b, :rt, :now, :exp)")
                  .bind("h", stateHash)
                  .bind("t", tenant.value())
                  .bind("u", user.value())
                  .bind("p", provider)
                  .bind("n", name)
                  .bind("r", reconnect == null ? null : reconnect.value())
                  .bind("s", String.join(" ", scopes))
                  .bind("sec", sealed)
                  .bind("b", bindingHash)
                  .bind("rt", returnTo)
                  .bind("now", now)
                  .bind("exp", expiresAt)
                  .execute();
            });
    return state;
  }

  /** Takes the sign-in for {@code state} out of the store. Empty when unknown or already used. */
  Optional<Pending> consume(String state) {
    String stateHash = TokenFormat.hash(state);
    Optional<Map<String, Object>> row =
        db.jdbi()
            .inTransaction(
                h -> {
                  Optional<Map<String, Object>> r =
                      h.createQuery(
                              "SELECT * FROM oauth_pending WHERE state_hash = :h" + db.forUpdate())
                          .bind("h", stateHash)
                          .mapToMap()
                          .findOne();
                  if (r.isEmpty()) {
                    return r;
                  }
                  int deleted =
                      h.createUpdate("DELETE FROM oauth_pending WHERE state_hash = :h")
                          .bind("h", stateHash)
                          .execute();
                  return deleted == 1 ? r : Optional.<Map<String, Object>>empty();
                });
    return row.map(
        r -> {
          TenantId tenant = new TenantId((String) r.get("tenant_id"));
          UserId user = new UserId((String) r.get("user_id"));
          String provider = (String) r.get("provider");
          byte[] plain =
              keys.decrypt(
                  tenant,
                  Base64.getDecoder().decode((String) r.get("secrets")),
                  aad(stateHash, tenant, user, provider),
                  "oauth sign-in");
          JsonNode secrets;
          try {
            secrets = MAPPER.readTree(plain);
          } catch (IOException e) {
            throw new IllegalStateException("sign-in secrets are not readable", e);
          } finally {
            java.util.Arrays.fill(plain, (byte) 0);
          }
          String scopes = (String) r.get("scopes");
          String nonce = secrets.path("nonce").asText();
          return new Pending(
              tenant,
              user,
              provider,
              (String) r.get("name"),
              r.get("reconnect_id") == null
                  ? null
                  : new CredentialId((String) r.get("reconnect_id")),
              scopes == null || scopes.isBlank() ? List.of() : List.of(scopes.split(" ")),
              secrets.path("verifier").asText(),
              nonce.isEmpty() ? null : nonce,
              (String) r.get("binding_hash"),
              (String) r.get("return_to"),
              ((Number) r.get("expires_at")).longValue());
        });
  }

  private static byte[] aad(String stateHash, TenantId tenant, UserId user, String provider) {
    return ("keyroom.oauth.pending.v1|"
            + stateHash
            + "|"
            + tenant.value()
            + "|"
            + user.value()
            + "|"
            + provider)
        .getBytes(StandardCharsets.UTF_8);
  }
}
