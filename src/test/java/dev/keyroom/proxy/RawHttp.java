package dev.keyroom.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Sends bytes exactly as written (request targets no HTTP client library would send). */
final class RawHttp {
  private RawHttp() {}

  /** Sends {@code request} and returns the status code of the response (0 if none). */
  static int status(int port, String request) {
    return Integer.parseInt(exchange(port, request).split(" ", 3)[1]);
  }

  static String exchange(int port, String request) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        String text = out.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end >= 0) {
          int cl = text.toLowerCase().indexOf("content-length:");
          if (cl >= 0 && cl < end) {
            int len = Integer.parseInt(text.substring(cl + 15, text.indexOf("\r\n", cl)).trim());
            if (out.size() >= end + 4 + len) {
              break;
            }
          }
        }
      }
      String text = out.toString(StandardCharsets.ISO_8859_1);
      if (text.isEmpty()) {
        return "HTTP/1.1 0 no-response\r\n\r\n";
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
