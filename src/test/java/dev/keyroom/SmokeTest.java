package dev.keyroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestKeyroom;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path dir;

  @Test
  void adminCreatesSecretAndSeesOnlyMetadata() {
    try (TestKeyroom k = TestKeyroom.sqlite(dir)) {
      Tenancy.Founded a = k.tenant("acme");
      var res =
          k.post(
              "/api/v1/secrets",
              a.adminToken().token(),
              "{\"kind\":\"gemini\",\"name\":\"prod\",\"value\":\"canary-smoke-0123456789\"}");
      assertThat(res.statusCode()).isEqualTo(201);
      assertThat(res.body())
          .doesNotContain("canary-smoke-0123456789")
          .contains("\"hint\":\"…6789\"");
    }
  }
}
