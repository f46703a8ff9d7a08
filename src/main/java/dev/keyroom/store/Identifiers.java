package dev.keyroom.store;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Random, prefixed, URL-safe identifiers such as {@code cred_4tq…}: 130 random bits, base32. */
public final class Identifiers {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final Pattern SHAPE = Pattern.compile("[a-z]{2,6}_[a-z2-7]{26}");

  private Identifiers() {}

  public static String random(String prefix) {
    byte[] bytes = new byte[17];
    RANDOM.nextBytes(bytes);
    StringBuilder out = new StringBuilder(prefix.length() + 27).append(prefix).append('_');
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5 && out.length() < prefix.length() + 27) {
        out.append(BASE32[(buffer >> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    return out.toString();
  }

  /** True when {@code value} has the shape of an identifier with this prefix. */
  public static boolean hasShape(String value, String prefix) {
    return value != null && value.startsWith(prefix + "_") && SHAPE.matcher(value).matches();
  }
}
