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
    boolean nameIsEnvVar) {

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

  @JsonIgnore
  public boolean isProxied() {
    return delivery == Delivery.PROXIED;
  }

  public String envVar(String name) {
    return env == null ? null : env.get(name);
  }
}
