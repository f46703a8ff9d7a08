package dev.keyroom.proxy;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Authenticator;
import dev.keyroom.api.HttpServer;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.List;

/**
 * {@code /proxy/{provider}/<path…>} for every method a provider API uses. Authentication is the
 * placeholder in the provider's own key header, so the routes are raw (no bearer token).
 */
public final class ProxyRoutes implements ApiRoutes.Module {
  private static final List<HandlerType> METHODS =
      List.of(
          HandlerType.GET,
          HandlerType.POST,
          HandlerType.PUT,
          HandlerType.PATCH,
          HandlerType.DELETE,
          HandlerType.HEAD,
          HandlerType.OPTIONS);

  private final ProviderProxy proxy;

  public ProxyRoutes(ProviderProxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public void register(ApiRoutes r) {
    // A refused placeholder is a failed authentication: counted and limited like every other kind.
    Handler handle =
        ctx ->
            r.authenticator().verify(ctx, Authenticator.Kind.PLACEHOLDER, () -> proxy.handle(ctx));
    for (HandlerType m : METHODS) {
      r.raw().addHttpHandler(m, "/proxy/{provider}", handle);
      r.raw().addHttpHandler(m, "/proxy/{provider}/<path>", handle);
    }
    r.raw()
        .addHttpHandler(
            HandlerType.CONNECT,
            "/proxy/*",
            ctx ->
                HttpServer.error(
                    ctx,
                    405,
                    "method_not_allowed",
                    "CONNECT is not supported: the proxy forwards only to each provider's configured upstream"));
  }
}
