package dev.keyroom.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.tenancy.Role;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.web.Passwords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sign-in for a user who does not exist (or has no password, or of a tenant that does not exist)
 * takes as long as a wrong password for a real user: the same Argon2id work runs on every path.
 * Attempts are interleaved round-robin so machine load hits every case alike, and medians are
 * compared.
 */
class SignInTimingRevealsNoUsersTest {
  static final int ROUNDS = 21;
  static final double TOLERANCE = 1.5;

  @TempDir Path dir;

  @Test
  void unknownUsersTenantsAndPasswordlessUsers_takeAsLongAsAWrongPassword() {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      Tenancy.Founded acme = k.tenant("acme");
      k.keyroom.tenancy().createUser(acme.tenant().id(), "nopassword", Role.MEMBER, "test");
      Passwords passwords =
          new Passwords(k.keyroom.db(), k.keyroom.tenancy(), k.keyroom.audit(), k.keyroom.clock());
      passwords.set(
          acme.tenant().id(), acme.admin().id(), "the admin's real passphrase", false, "test");
      Map<String, Supplier<Boolean>> cases = new LinkedHashMap<>();
      cases.put(
          "known user, wrong password",
          () -> passwords.check("acme", "admin", "a wrong passphrase!").isPresent());
      cases.put(
          "unknown user",
          () -> passwords.check("acme", "no-such-user", "a wrong passphrase!").isPresent());
      cases.put(
          "user without a password",
          () -> passwords.check("acme", "nopassword", "a wrong passphrase!").isPresent());
      cases.put(
          "unknown tenant",
          () -> passwords.check("no-such-tenant", "admin", "a wrong passphrase!").isPresent());
      Map<String, List<Long>> samples = new LinkedHashMap<>();
      cases.keySet().forEach(c -> samples.put(c, new ArrayList<>()));
      for (int round = 0; round < ROUNDS; round++) {
        for (var e : cases.entrySet()) {
          long t0 = System.nanoTime();
          assertThat(e.getValue().get()).as(e.getKey()).isFalse();
          samples.get(e.getKey()).add(System.nanoTime() - t0);
        }
      }
      Map<String, Double> medians = new LinkedHashMap<>();
      samples.forEach((c, s) -> medians.put(c, median(s) / 1e6));
      double slowest =
          medians.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      double fastest =
          medians.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      assertThat(slowest / fastest)
          .as("median sign-in times (ms) by case: %s", medians)
          .isLessThan(TOLERANCE);
    }
  }

  static double median(List<Long> xs) {
    long[] a = xs.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    return a[a.length / 2];
  }
}
