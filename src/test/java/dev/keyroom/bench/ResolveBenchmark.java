package dev.keyroom.bench;

import dev.keyroom.app.Config;
import dev.keyroom.app.Keyroom;
import dev.keyroom.catalog.Home;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialAad;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.ResolvedCredential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * "Resolve a credential" — {@link dev.keyroom.vault.Vault#resolve}: read the credential's metadata
 * and current version, check it is active, decrypt with the tenant's data key — over 100,000
 * credentials in 1,000 tenants, on SQLite and on (embedded) PostgreSQL. Run with {@code
 * bench/resolve}; figures in docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 6)
@Fork(
    value = 1,
    jvmArgs = {"-Xms1g", "-Xmx1g"})
public class ResolveBenchmark {
  static final int TENANTS = Integer.getInteger("bench.tenants", 1_000);
  static final int PER_TENANT = Integer.getInteger("bench.perTenant", 100);

  @Param({"sqlite", "postgres"})
  public String store;

  private Path dir;
  private Keyroom keyroom;
  private CredentialScope[] scopes;
  private CredentialId[][] ids;

  @Setup(Level.Trial)
  public void seed() throws IOException {
    dir = Files.createTempDirectory("keyroom-bench-");
    Config config =
        TestKeyroom.config(
            dir,
            "sqlite".equals(store)
                ? TestDatabases.sqliteUrl(dir)
                : TestDatabases.freshPostgresUrl());
    if ("postgres".equals(store)) {
      config = config.with(Config.Setting.DATABASE_USER, "postgres");
    }
    keyroom = Keyroom.open(config);
    long started = System.nanoTime();
    scopes = new CredentialScope[TENANTS];
    ids = new CredentialId[TENANTS][PER_TENANT];
    for (int t = 0; t < TENANTS; t++) {
      TenantId tenant =
          keyroom.tenancy().createTenant("bench-" + t, "admin", "bench").tenant().id();
      scopes[t] = CredentialScope.tenantSecrets(tenant);
      seedTenant(t, tenant, ids[t]);
    }
    System.out.printf(
        "%nseeded %d credentials in %d tenants on %s in %d s%n",
        TENANTS * PER_TENANT,
        TENANTS,
        store,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    // a sanity check that what was seeded really opens
    ResolvedCredential c = keyroom.vault().resolve(scopes[7], ids[7][3], null);
    if (!c.value().revealUtf8().equals(value(7, 3))) {
      throw new IllegalStateException("seeded value does not round-trip");
    }
  }

  /** One batch per tenant, each value really encrypted and fingerprinted with the tenant's keys. */
  private void seedTenant(int index, TenantId tenant, CredentialId[] out) {
    long now = System.currentTimeMillis();
    keyroom
        .db()
        .jdbi()
        .useTransaction(
            h -> {
              PreparedBatch creds =
                  h.prepareBatch(
                      "INSERT INTO credentials (id, tenant_id, home, owner_user_id, owner_key, kind, name,"
                          + " current_version, status, created_at, updated_at) VALUES (:id, :t, 'tenant', NULL, '', 'gemini', :name, 1, 'active', :now, :now)");
              PreparedBatch versions =
                  h.prepareBatch(
                      "INSERT INTO credential_versions (credential_id, tenant_id, version, ciphertext,"
                          + " hint, fingerprint, status, created_at) VALUES (:id, :t, 1, :c, NULL, :fp, 'active', :now)");
              for (int i = 0; i < out.length; i++) {
                CredentialId id = CredentialId.generate();
                out[i] = id;
                byte[] plain = value(index, i).getBytes(StandardCharsets.UTF_8);
                byte[] aad = new CredentialAad(tenant, Home.TENANT, null, id, 1, "gemini").encode();
                creds
                    .bind("id", id.value())
                    .bind("t", tenant.value())
                    .bind("name", "key-" + i)
                    .bind("now", now)
                    .add();
                versions
                    .bind("id", id.value())
                    .bind("t", tenant.value())
                    .bind(
                        "c",
                        Base64.getEncoder()
                            .encodeToString(keyroom.keys().encrypt(tenant, plain, aad)))
                    .bind(
                        "fp",
                        keyroom
                            .keys()
                            .fingerprint(
                                tenant,
                                new dev.keyroom.vault.FingerprintDomain(tenant, Home.TENANT, null)
                                    .encode(),
                                plain))
                    .bind("now", now)
                    .add();
              }
              creds.execute();
              versions.execute();
            });
  }

  private static String value(int tenant, int i) {
    return "bench-value-" + tenant + "-" + i + "-0123456789abcdef";
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    keyroom.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public int resolve() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    int t = r.nextInt(TENANTS);
    ResolvedCredential c = keyroom.vault().resolve(scopes[t], ids[t][r.nextInt(PER_TENANT)], null);
    int n = c.value().length();
    c.value().destroy();
    return n;
  }
}
