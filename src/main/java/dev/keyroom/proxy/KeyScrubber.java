package dev.keyroom.proxy;

import java.util.Arrays;

/**
 * Masks the real key wherever an upstream echoes it back (error bodies that quote the request), as
 * bytes stream past. Each occurrence becomes the same number of {@code *}, so a declared
 * Content-Length stays true. Only a tail that could be the start of the key is held back until the
 * next chunk shows whether it is; an SSE event ending in a newline is never delayed.
 */
final class KeyScrubber {
  /** Shorter values would mask ordinary words in responses and reveal themselves by the gaps. */
  static final int MIN_KEY_BYTES = 8;

  private final byte[] key;
  private final int[] failure;
  private byte[] held = new byte[0];
  private int state;

  KeyScrubber(byte[] key) {
    this.key = key.length >= MIN_KEY_BYTES ? key.clone() : new byte[0];
    this.failure = new int[this.key.length];
    for (int i = 1, k = 0; i < this.key.length; i++) {
      while (k > 0 && this.key[i] != this.key[k]) {
        k = failure[k - 1];
      }
      if (this.key[i] == this.key[k]) {
        k++;
      }
      failure[i] = k;
    }
  }

  /** Masks {@code b[off, off+len)} in place and returns the bytes that may be sent now. */
  byte[] process(byte[] b, int off, int len) {
    if (key.length == 0) {
      return Arrays.copyOfRange(b, off, off + len);
    }
    byte[] buf;
    if (held.length == 0) {
      buf = Arrays.copyOfRange(b, off, off + len);
    } else {
      buf = new byte[held.length + len];
      System.arraycopy(held, 0, buf, 0, held.length);
      System.arraycopy(b, off, buf, held.length, len);
    }
    // The KMP state carried over equals held.length, so scanning resumes after the held bytes.
    int q = state;
    for (int i = held.length; i < buf.length; i++) {
      while (q > 0 && buf[i] != key[q]) {
        q = failure[q - 1];
      }
      if (buf[i] == key[q]) {
        q++;
      }
      if (q == key.length) {
        Arrays.fill(buf, i - key.length + 1, i + 1, (byte) '*');
        q = 0;
      }
    }
    state = q;
    held = Arrays.copyOfRange(buf, buf.length - q, buf.length);
    return Arrays.copyOfRange(buf, 0, buf.length - q);
  }

  /** The held-back tail at the end of the response (it turned out not to be the key). */
  byte[] finish() {
    byte[] rest = held;
    held = new byte[0];
    state = 0;
    return rest;
  }

  /** A header value with every occurrence of the key masked. */
  String scrub(String value) {
    if (key.length == 0 || value == null) {
      return value;
    }
    String k = new String(key, java.nio.charset.StandardCharsets.ISO_8859_1);
    return value.contains(k) ? value.replace(k, "*".repeat(k.length())) : value;
  }
}
