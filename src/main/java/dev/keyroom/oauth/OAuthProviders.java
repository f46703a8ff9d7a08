package dev.keyroom.oauth;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.NotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The OAuth providers this Keyroom knows: every catalog kind with an {@code oauth} section, with
 * the operator's settings ({@code KEYROOM_OAUTH_<PROVIDER>_*}) laid over the catalog's defaults.
 */
public final class OAuthProviders {
  private final Map<String, OAuthProvider> byId = new LinkedHashMap<>();

  public OAuthProviders(Catalog catalog, Map<String, String> settings) {
    for (CredentialKind kind : catalog.kinds()) {
      if (!kind.isOAuth()) {
        continue;
      }
      CredentialKind.OAuthSpec spec = kind.oauth();
      String p = spec.provider();
      String secret = settings.get(p + ".client-secret");
      String scopes = settings.get(p + ".scopes");
      String oidc = settings.get(p + ".oidc");
      String auth = settings.getOrDefault(p + ".client-auth", spec.clientAuth() == null ? "basic" : spec.clientAuth());
      if (!auth.equals("basic") && !auth.equals("post")) {
        throw new IllegalStateException("OAuth setting client-auth of provider " + p + " must be 'basic' or 'post'");
      }
      byId.put(p, new OAuthProvider(p, kind,
          oidc == null ? spec.oidc() : Boolean.parseBoolean(oidc.toLowerCase(Locale.ROOT)),
          settings.getOrDefault(p + ".issuer", spec.issuer()),
          settings.getOrDefault(p + ".authorize-url", spec.authorizeUrl()),
          settings.getOrDefault(p + ".token-url", spec.tokenUrl()),
          settings.getOrDefault(p + ".revocation-url", spec.revocationUrl()),
          settings.getOrDefault(p + ".userinfo-url", spec.userinfoUrl()),
          settings.getOrDefault(p + ".account-claim", spec.accountClaim()),
          scopes == null ? (spec.scopes() == null ? List.of() : List.copyOf(spec.scopes()))
              : Arrays.stream(scopes.split("[ ,]+")).filter(s -> !s.isBlank()).toList(),
          auth,
          spec.authorizeParams() == null ? Map.of() : Map.copyOf(spec.authorizeParams()),
          settings.get(p + ".client-id"),
          secret == null || secret.isEmpty() ? null : SecretValue.ofUtf8(secret)));
    }
  }

  public Collection<OAuthProvider> all() {
    return byId.values();
  }

  /** A provider by its id in URLs; 404 when unknown, 400 when no operator configured it. */
  public OAuthProvider requireConfigured(String id) {
    OAuthProvider p = byId.get(id);
    if (p == null) {
      throw new NotFoundException("no OAuth provider '" + id + "'; known providers: " + String.join(", ", byId.keySet()));
    }
    if (!p.configured()) {
      throw new InvalidInputException("provider", "OAuth provider '" + id + "' is not configured on this Keyroom: an operator"
          + " must set KEYROOM_OAUTH_" + id.toUpperCase(Locale.ROOT).replace('-', '_') + "_CLIENT_ID (and the endpoints the"
          + " catalog does not give)");
    }
    return p;
  }

  /** The provider that serves a catalog kind, if the kind is an OAuth kind. */
  public OAuthProvider forKind(String kindId) {
    for (OAuthProvider p : byId.values()) {
      if (p.kind().id().equals(kindId)) {
        return p;
      }
    }
    return null;
  }

  public List<Map<String, Object>> describe() {
    List<Map<String, Object>> out = new ArrayList<>();
    byId.values().forEach(p -> out.add(p.describe()));
    return out;
  }
}
