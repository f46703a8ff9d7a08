package dev.keyroom.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Secret bytes in memory. Prints as {@code [REDACTED]}, has no value equality, and hands out its
 * bytes only through {@link #reveal()} — a name that stands out in review.
 */
public final class SecretValue {
  private final byte[] bytes;

  private SecretValue(byte[] bytes) {
    this.bytes = bytes;
  }

  public static SecretValue ofUtf8(String value) {
    return new SecretValue(Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8));
  }

  /** Takes ownership of {@code bytes}; the caller must not keep using the array. */
  public static SecretValue ofBytes(byte[] bytes) {
    return new SecretValue(Objects.requireNonNull(bytes, "bytes"));
  }

  /** A copy of the secret bytes. Callers should clear it when done. */
  public byte[] reveal() {
    return bytes.clone();
  }

  /** The secret as text (UTF-8). Avoid where bytes will do. */
  public String revealUtf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  public int length() {
    return bytes.length;
  }

  /** Number of Unicode code points (what a person would call the value's length). */
  public int codePointLength() {
    return revealUtf8().codePointCount(0, revealUtf8().length());
  }

  /** Constant-time comparison with another secret. */
  public boolean equalsSecret(SecretValue other) {
    return other != null && MessageDigest.isEqual(bytes, other.bytes);
  }

  /** Overwrites the bytes; the value is unusable afterwards. */
  public void destroy() {
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public final String toString() {
    return "[REDACTED]";
  }
}
