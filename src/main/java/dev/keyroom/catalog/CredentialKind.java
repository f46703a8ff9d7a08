package dev.keyroom.catalog;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/**
 * One kind of credential, as the catalog describes it.
 *
 * @param proxy for proxied kinds: upstream and header facts; null for injected kinds
 * @param env environment variable names: {@code keyVar}, {@code baseUrlVar}, {@code helper}, …
 * @param nameIsEnvVar true when the credential's name is the environment variable it becomes
 * @param oauth for kinds connected by an OAuth login: the provider's endpoints and defaults; else
 *     null
 * @param git for kinds whose value git may send: the hosts a new credential is bound to by default;
 *     else null
 * @param valueFormat what a stored value may contain (see {@link ValueFormat})
 */
public record CredentialKind(
    String id,
    String displayName,
    Home home,
    Delivery delivery,
    String getKeyUrl,
    List<String> sources,
    ProxySpec proxy,
    Map<String, String> env,
    boolean nameIsEnvVar,
    OAuthSpec oauth,
    GitSpec git,
    ValueFormat valueFormat) {

  /** Git hosts a credential of the kind is bound to unless its owner chooses others. */
  public record GitSpec(List<String> hosts) {}

  /** What a stored value may contain, by where it goes. */
  public enum ValueFormat {
    /** Any text without NUL (a multi-line environment secret). */
    ANY,
    /** One line: no control characters (a password or key handed over as one environment value). */
    ONE_LINE,
    /** Sent in an HTTP header (a proxied key, a git token): no control characters, Latin-1 only. */
    HEADER;

    public static ValueFormat fromWire(String wire, boolean headerBound) {
      if (headerBound || "header".equals(wire)) {
        return HEADER;
      }
      if (wire == null) {
        return ANY;
      }
      return switch (wire) {
        case "one-line" -> ONE_LINE;
        case "any" -> ANY;
        default ->
            throw new IllegalStateException(
                "unknown valueFormat '" + wire + "' (header, one-line or any)");
      };
    }
  }

  /** True when git may be handed a credential of this kind (it has default git hosts). */
  @JsonIgnore
  public boolean isGit() {
    return git != null;
  }

  /** Facts the proxy needs for a provider. */
  public record ProxySpec(
      String upstream,
      String keyHeader,
      String keyFormat,
      String sdkKeyHeader,
      String sdkKeyFormat,
      List<String> passthroughHeaders,
      String usage,
      TestCall test) {}

  /** A cheap request that proves a key works. */
  public record TestCall(String method, String path) {}

  /**
   * How an OAuth provider is reached. Endpoints here are defaults an operator may override
   * (settings {@code KEYROOM_OAUTH_<PROVIDER>_*}); the client id and secret are never in the
   * catalog.
   *
   * @param provider the provider's id in URLs and settings ({@code github}, {@code generic}, …)
   * @param oidc true when the provider speaks OpenID Connect (a nonce is sent and checked)
   * @param accountClaim the userinfo field shown as "connected as"
   * @param clientAuth {@code basic} (HTTP Basic) or {@code post} (client id and secret in the form)
   * @param authorizeParams extra fixed parameters for the authorization request
   */
  public record OAuthSpec(
      String provider,
      boolean oidc,
      String issuer,
      String authorizeUrl,
      String tokenUrl,
      String revocationUrl,
      String userinfoUrl,
      String accountClaim,
      List<String> scopes,
      String clientAuth,
      Map<String, String> authorizeParams) {}

  @JsonIgnore
  public boolean isOAuth() {
    return oauth != null;
  }

  @JsonIgnore
  public boolean isProxied() {
    return delivery == Delivery.PROXIED;
  }

  public String envVar(String name) {
    return env == null ? null : env.get(name);
  }
}
