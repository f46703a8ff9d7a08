package dev.keyroom.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.keyroom.error.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The credential catalog, loaded from {@code catalog/catalog.json} on the class path. */
public final class Catalog {
  private final Map<String, CredentialKind> kinds;

  private Catalog(Map<String, CredentialKind> kinds) {
    this.kinds = Collections.unmodifiableMap(kinds);
  }

  public static Catalog load() {
    try (InputStream in = Catalog.class.getResourceAsStream("/catalog/catalog.json")) {
      if (in == null) {
        throw new IllegalStateException("catalog/catalog.json is missing from the class path");
      }
      ObjectMapper mapper =
          JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
      JsonNode root = mapper.readTree(in);
      Map<String, CredentialKind> kinds = new LinkedHashMap<>();
      for (JsonNode node : root.get("kinds")) {
        RawKind raw = mapper.treeToValue(node, RawKind.class);
        CredentialKind kind = raw.toKind();
        if (kinds.put(kind.id(), kind) != null) {
          throw new IllegalStateException("catalog lists kind '" + kind.id() + "' twice");
        }
      }
      return new Catalog(kinds);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the credential catalog", e);
    }
  }

  public Collection<CredentialKind> kinds() {
    return kinds.values();
  }

  public Optional<CredentialKind> find(String id) {
    return Optional.ofNullable(id == null ? null : kinds.get(id));
  }

  /** The kind, or a 400 naming {@code field} and listing the known kinds. */
  public CredentialKind require(String id, String field) {
    return find(id)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    field,
                    "unknown credential kind; must be one of "
                        + String.join(", ", kinds.keySet())));
  }

  public List<CredentialKind> proxied() {
    List<CredentialKind> out = new ArrayList<>();
    for (CredentialKind k : kinds.values()) {
      if (k.isProxied()) {
        out.add(k);
      }
    }
    return out;
  }

  private record RawKind(
      String id,
      String displayName,
      String home,
      String delivery,
      String getKeyUrl,
      List<String> sources,
      CredentialKind.ProxySpec proxy,
      Map<String, String> env,
      Boolean nameIsEnvVar,
      CredentialKind.OAuthSpec oauth,
      CredentialKind.GitSpec git,
      String valueFormat) {
    CredentialKind toKind() {
      Delivery d = Delivery.fromWire(delivery);
      if (d == Delivery.PROXIED && proxy == null) {
        throw new IllegalStateException(
            "catalog kind '" + id + "' is proxied but has no proxy section");
      }
      if (d == Delivery.PROXIED && !proxy.upstream().startsWith("https://")) {
        throw new IllegalStateException("catalog kind '" + id + "' must have an https upstream");
      }
      if (oauth != null
          && (oauth.provider() == null || !oauth.provider().matches("[a-z][a-z0-9-]{0,31}"))) {
        throw new IllegalStateException(
            "catalog kind '" + id + "' has an oauth section without a valid provider id");
      }
      if (git != null && (git.hosts() == null || git.hosts().isEmpty())) {
        throw new IllegalStateException(
            "catalog kind '" + id + "' has a git section without default hosts");
      }
      // a proxied key and a git token (not an OAuth bundle, which is stored as JSON) travel in an
      // HTTP header
      boolean headerBound = d == Delivery.PROXIED || (git != null && oauth == null);
      return new CredentialKind(
          id,
          displayName,
          Home.fromWire(home),
          d,
          getKeyUrl,
          sources == null ? List.of() : List.copyOf(sources),
          proxy,
          env == null ? Map.of() : Map.copyOf(env),
          Boolean.TRUE.equals(nameIsEnvVar),
          oauth,
          git == null ? null : new CredentialKind.GitSpec(List.copyOf(git.hosts())),
          CredentialKind.ValueFormat.fromWire(valueFormat, headerBound));
    }
  }
}
