package dev.keyroom.proxy;

import dev.keyroom.api.ApiRoutes;
import dev.keyroom.api.Authenticator;
import dev.keyroom.error.UnauthenticatedException;
import org.eclipse.jetty.server.Request;

/**
 * {@code /proxy/{provider}/<path…>} for every method a provider API uses, served by a core Jetty
 * handler ahead of the servlet and Javalin stack. Authentication is the placeholder in the
 * provider's own key header, so there is no bearer token; a refused placeholder is a failed
 * authentication, counted and limited like every other kind.
 */
public final class ProxyRoutes implements ApiRoutes.Module {
  private final ProviderProxy proxy;

  public ProxyRoutes(ProviderProxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public void register(ApiRoutes r) {
    Authenticator authenticator = r.authenticator();
    r.core(
        "/proxy/",
        "/proxy/{provider}/<path>",
        (request, response, callback) -> {
          try {
            proxy.handle(request, response, callback);
          } catch (UnauthenticatedException e) {
            throw authenticator.refused(
                Request.getRemoteAddr(request),
                Authenticator.Kind.PLACEHOLDER,
                e,
                (name, value) -> response.getHeaders().put(name, value));
          }
          return true;
        });
  }
}
