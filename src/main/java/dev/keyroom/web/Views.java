package dev.keyroom.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The compiled JTE templates (src/main/jte, precompiled at build time; HTML-escaped by context).
 */
final class Views {
  private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

  void render(Context ctx, int status, String template, Map<String, Object> params) {
    StringOutput out = new StringOutput();
    engine.render(template, params, out);
    ctx.status(status).contentType("text/html; charset=utf-8").result(out.toString());
  }
}
