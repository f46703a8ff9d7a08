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
      String auth =
          settings.getOrDefault(
              p + ".client-auth", spec.clientAuth() == null ? "basic" : spec.clientAuth());
      if (!auth.equals("basic") && !auth.equals("post")) {
        throw new IllegalStateException(
            "OAuth setting client-auth of provider " + p + " must be 'basic' or 'post'");
      }
      byId.put(
          p,
          new OAuthProvider(
              p,
              kind,
              oidc == null ? spec.oidc() : Boolean.parseBoolean(oidc.toLowerCase(Locale.ROOT)),
              settings.getOrDefault(p + ".issuer", spec.issuer()),
              checkedUrl(
                  p,
                  "authorize-url",
                  settings.getOrDefault(p + ".authorize-url", spec.authorizeUrl())),
              checkedUrl(p, "token-url", settings.getOrDefault(p + ".token-url", spec.tokenUrl())),
              checkedUrl(
                  p,
                  "revocation-url",
                  settings.getOrDefault(p + ".revocation-url", spec.revocationUrl())),
              checkedUrl(
                  p,
                  "userinfo-url",
                  settings.getOrDefault(p + ".userinfo-url", spec.userinfoUrl())),
              settings.getOrDefault(p + ".account-claim", spec.accountClaim()),
              scopes == null
                  ? (spec.scopes() == null ? List.of() : List.copyOf(spec.scopes()))
                  : Arrays.stream(scopes.split("[ ,]+")).filter(s -> !s.isBlank()).toList(),
              auth,
              spec.authorizeParams() == null ? Map.of() : Map.copyOf(spec.authorizeParams()),
              settings.get(p + ".client-id"),
              secret == null || secret.isEmpty() ? null : SecretValue.ofUtf8(secret)));
    }
  }

  /**
   * Tokens and client secrets travel only over TLS; plain http is allowed for loopback hosts (local
   * tests).
   */
  static String checkedUrl(String provider, String setting, String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    java.net.URI u;
    try {
      u = java.net.URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "OAuth setting " + setting + " of provider " + provider + " is not a URL");
    }
    String host = u.getHost() == null ? "" : u.getHost();
    boolean loopback =
        host.equals("localhost")
            || host.equals("127.0.0.1")
            || host.equals("[::1]")
            || host.equals("::1");
    if (!"https".equals(u.getScheme()) && !("http".equals(u.getScheme()) && loopback)) {
      throw new IllegalStateException(
          "OAuth setting "
              + setting
              + " of provider "
              + provider
              + " must be an https URL (plain http only for localhost)");
    }
    if (u.getRawUserInfo() != null || u.getRawFragment() != null) {
      throw new IllegalStateException(
          "OAuth setting "
              + setting
              + " of provider "
              + provider
              + " must not carry user info or a fragment");
    }
    return url.trim();
  }

  public Collection<OAuthProvider> all() {
    return byId.values();
  }

  /** A provider by its id in URLs; 404 when unknown, 400 when no operator configured it. */
  public OAuthProvider requireConfigured(String id) {
    OAuthProvider p = byId.get(id);
    if (p == null) {
      throw new NotFoundException(
          "no OAuth provider '" + id + "'; known providers: " + String.join(", ", byId.keySet()));
    }
    if (!p.configured()) {
      throw new InvalidInputException(
          "provider",
          "OAuth provider '"
              + id
              + "' is not configured on this Keyroom: an operator"
              + " must set KEYROOM_OAUTH_"
              + id.toUpperCase(Locale.ROOT).replace('-', '_')
              + "_CLIENT_ID (and the endpoints the"
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
