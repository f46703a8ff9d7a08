package dev.keyroom.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Undoes an upstream's Content-Encoding, so the key scrubber and the usage meter read the bytes the
 * provider meant. The proxy asks for identity; an upstream that compresses anyway is decoded as it
 * streams (gzip, deflate with or without its zlib wrapper) and the body is sent on decoded. Any
 * other coding cannot be scrubbed and is never passed through.
 */
final class ContentDecoding {
  private static final int BUFFER = 16 * 1024;
  private static final Pattern TOKEN = Pattern.compile("[a-z0-9._+-]{1,32}");

  private ContentDecoding() {}

  /** The codings in the order the upstream applied them ({@code identity} left out). */
  static List<String> codings(List<String> contentEncodingValues) {
    List<String> out = new ArrayList<>();
    for (String v : contentEncodingValues) {
      for (String t : v.split(",")) {
        String c = t.trim().toLowerCase(Locale.ROOT);
        if (!c.isEmpty() && !c.equals("identity")) {
          out.add(c);
        }
      }
    }
    return out;
  }

  /** The first coding the proxy cannot decode, if any, as a printable token (or "unnamed"). */
  static Optional<String> unsupported(List<String> codings) {
    for (String c : codings) {
      if (!c.equals("gzip") && !c.equals("x-gzip") && !c.equals("deflate")) {
        return Optional.of(TOKEN.matcher(c).matches() ? c : "unnamed");
      }
    }
    return Optional.empty();
  }

  /** {@code in} with every coding undone, last applied first. Reads nothing until first read. */
  static InputStream decode(InputStream in, List<String> codings) {
    InputStream s = in;
    for (int i = codings.size() - 1; i >= 0; i--) {
      s = new Lazy(s, codings.get(i));
    }
    return s;
  }

  /** Opens its decoder on first read, so an empty body (HEAD, 204, 304) decodes to nothing. */
  private static final class Lazy extends InputStream {
    private final PushbackInputStream raw;
    private final String coding;
    private InputStream decoded;

    Lazy(InputStream raw, String coding) {
      this.raw = new PushbackInputStream(raw, 2);
      this.coding = coding;
    }

    private InputStream open() throws IOException {
      if (decoded != null) {
        return decoded;
      }
      int b0 = raw.read();
      if (b0 < 0) {
        decoded = InputStream.nullInputStream();
        return decoded;
      }
      if (coding.equals("deflate")) {
        int b1 = raw.read();
        if (b1 >= 0) {
          raw.unread(b1);
        }
        raw.unread(b0);
        // RFC 9110 deflate is zlib-wrapped; some servers send raw deflate. The zlib header says
        // which.
        boolean zlib = b1 >= 0 && (b0 & 0x0F) == 8 && ((b0 << 8) | b1) % 31 == 0;
        decoded = new InflaterInputStream(raw, new Inflater(!zlib), BUFFER);
      } else {
        raw.unread(b0);
        decoded = new GZIPInputStream(raw, BUFFER);
      }
      return decoded;
    }

    @Override
    public int read() throws IOException {
      return open().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return open().read(b, off, len);
    }

    @Override
    public void close() throws IOException {
      if (decoded != null) {
        decoded.close();
      } else {
        raw.close();
      }
    }
  }
}
