package dev.keyroom.web;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The UI's stylesheet, script and icon, served from the jar (no CDN). */
final class Assets {
  private static final Map<String, String> FILES =
      Map.of(
          "keyroom.css", "text/css; charset=utf-8",
          "keyroom.js", "text/javascript; charset=utf-8",
          "favicon.svg", "image/svg+xml");
  private final Map<String, byte[]> bodies;

  Assets() {
    this.bodies =
        FILES.keySet().stream().collect(java.util.stream.Collectors.toMap(f -> f, Assets::read));
  }

  void register(WebRouter router) {
    router.open(HandlerType.GET, "/assets/{file}", this::serve);
  }

  private void serve(Context ctx) {
    String file = ctx.pathParam("file");
    byte[] body = bodies.get(file);
    if (body == null) {
      ctx.status(404).contentType("text/plain").result("no such asset");
      return;
    }
    ctx.header("Cache-Control", "public, max-age=3600");
    ctx.contentType(FILES.get(file)).result(body);
  }

  private static byte[] read(String file) {
    try (InputStream in = Assets.class.getResourceAsStream("/web/" + file)) {
      if (in == null) {
        throw new IllegalStateException("web/" + file + " is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
