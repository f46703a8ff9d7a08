package dev.keyroom.vault;

import dev.keyroom.crypto.DecryptionFailedException;
import dev.keyroom.crypto.TenantKeys;
import dev.keyroom.store.Database;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed fingerprints of credential values, comparable only within one tenant, home and owner
 * ({@link FingerprintDomain}), and the one-off recomputation of the fingerprints an older store
 * kept (keyed per tenant only, so comparable across homes).
 */
final class Fingerprints {
  private static final Logger LOG = LoggerFactory.getLogger(Fingerprints.class);
  private static final int BATCH = 200;

  private final Database db;
  private final VaultStore store;
  private final TenantKeys keys;

  Fingerprints(Database db, VaultStore store, TenantKeys keys) {
    this.db = db;
    this.store = store;
    this.keys = keys;
  }

  /** The fingerprint of {@code plain} stored in {@code scope}. */
  String of(CredentialScope scope, byte[] plain) {
    return keys.fingerprint(scope.tenant(), FingerprintDomain.of(scope).encode(), plain);
  }

  /**
   * Computes the fingerprint of every stored version that has none (migration V7 cleared them),
   * from the decrypted value and the version's own tenant, home and owner, in transactions of
   * {@value #BATCH} rows. Idempotent and safe beside writers: only a fingerprint that is still
   * empty is set, so a version written meanwhile keeps its own. A version that cannot be decrypted
   * keeps none and is logged by id. Returns how many were computed.
   */
  int recomputeCleared() {
    List<VaultStore.VersionRef> pending = db.jdbi().withHandle(store::withoutFingerprint);
    int done = 0;
    for (int from = 0; from < pending.size(); from += BATCH) {
      List<VaultStore.VersionRef> chunk =
          pending.subList(from, Math.min(pending.size(), from + BATCH));
      done +=
          db.jdbi()
              .inTransaction(
                  h -> {
                    int n = 0;
                    for (VaultStore.VersionRef r : chunk) {
                      Optional<String> ct = store.lockCiphertext(h, r.id(), r.version());
                      if (ct.isEmpty()) {
                        continue;
                      }
                      byte[] aad =
                          new CredentialAad(
                                  r.tenant(), r.home(), r.owner(), r.id(), r.version(), r.kind())
                              .encode();
                      byte[] plain;
                      try {
                        plain =
                            keys.decrypt(
                                r.tenant(),
                                Base64.getDecoder().decode(ct.get()),
                                aad,
                                "credential " + r.id());
                      } catch (DecryptionFailedException e) {
                        LOG.warn(
                            "fingerprint of credential {} version {} not computed: {}",
                            r.id(),
                            r.version(),
                            e.getClass().getSimpleName());
                        continue;
                      }
                      try {
                        store.setFingerprint(h, r.id(), r.version(), of(r.scope(), plain));
                        n++;
                      } finally {
                        Arrays.fill(plain, (byte) 0);
                      }
                    }
                    return n;
                  });
    }
    if (done > 0) {
      LOG.info("computed {} credential fingerprints per home and owner", done);
    }
    return done;
  }
}
