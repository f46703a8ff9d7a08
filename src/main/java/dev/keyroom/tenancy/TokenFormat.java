package dev.keyroom.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Recognisable bearer tokens: {@code kr_u_…} user API tokens, {@code kr_s_…} service tokens, {@code
 * kr_sess_…} session tokens, {@code kr_ph_<provider>_…} placeholders. Each carries 256 random bits
 * (base64url, 43 characters) and is stored only as its SHA-256.
 */
public final class TokenFormat {
  public static final String USER = "kr_u_";
  public static final String SERVICE = "kr_s_";
  public static final String SESSION = "kr_sess_";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern BODY = Pattern.compile("[A-Za-z0-9_-]{43}");

  private TokenFormat() {}

  /** A new token with this prefix and 256 random bits. */
  public static String generate(String prefix) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** True when {@code token} is prefix + 43 base64url characters. */
  public static boolean isWellFormed(String token, String prefix) {
    return token != null
        && token.startsWith(prefix)
        && token.length() == prefix.length() + 43
        && BODY.matcher(token.substring(prefix.length())).matches();
  }

  /** SHA-256 of the token, hex. The token has 256 bits of entropy, so no salt is needed. */
  public static String hash(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Constant-time comparison of two hex hashes. */
  public static boolean sameHash(String a, String b) {
    return a != null
        && b != null
        && MessageDigest.isEqual(
            a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }
}
