package dev.keyroom.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** RFC 7636 proof key: a random verifier and its S256 challenge. */
record Pkce(String verifier, String challenge) {
  private static final SecureRandom RANDOM = new SecureRandom();

  static Pkce generate() {
    String verifier = random();
    return new Pkce(verifier, s256(verifier));
  }

  /** 256 random bits, base64url without padding (43 characters, inside RFC 7636's alphabet). */
  static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String s256(String verifier) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "Pkce[verifier=[REDACTED], challenge=" + challenge + "]";
  }
}
