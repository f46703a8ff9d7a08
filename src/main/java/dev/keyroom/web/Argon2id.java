package dev.keyroom.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in the PHC string format ({@code
 * $argon2id$v=19$m=19456,t=2,p=1$salt$hash}), computed with Bouncy Castle. The default cost is
 * OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane).
 */
final class Argon2id {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern PHC =
      Pattern.compile(
          "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,2}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{16,64})\\$([A-Za-z0-9+/]{16,128})");
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final int memoryKiB;
  private final int passes;

  Argon2id(int memoryKiB, int passes) {
    this.memoryKiB = memoryKiB;
    this.passes = passes;
  }

  static Argon2id standard() {
    return new Argon2id(19_456, 2);
  }

  String hash(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] out = derive(password, salt, memoryKiB, passes, 1, 32);
    return "$argon2id$v=19$m="
        + memoryKiB
        + ",t="
        + passes
        + ",p=1$"
        + B64.encodeToString(salt)
        + "$"
        + B64.encodeToString(out);
  }

  /**
   * True when {@code password} matches {@code phc}; false for a malformed hash. Constant-time
   * compare.
   */
  boolean verify(String password, String phc) {
    Matcher m = PHC.matcher(phc == null ? "" : phc);
    if (!m.matches()) {
      return false;
    }
    byte[] salt = B64D.decode(m.group(4));
    byte[] expected = B64D.decode(m.group(5));
    byte[] actual =
        derive(
            password,
            salt,
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3)),
            expected.length);
    return MessageDigest.isEqual(expected, actual);
  }

  private static byte[] derive(
      String password, byte[] salt, int memoryKiB, int passes, int lanes, int length) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memoryKiB)
            .withIterations(passes)
            .withParallelism(lanes)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[length];
    try {
      generator.generateBytes(pw, out);
      return out;
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }
}
