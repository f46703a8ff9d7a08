package dev.keyroom.attack;

import dev.keyroom.app.Config;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.proxy.FakeUpstream;
import dev.keyroom.session.Sessions;
import dev.keyroom.session.StartedBy;
import dev.keyroom.session.Workroom;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestDatabases;
import dev.keyroom.testing.TestKeyroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A running Keyroom whose Gemini upstream is one fake provider on port 0, and helpers to found
 * tenants that each hold their own Gemini key, a workroom using it and a live session.
 */
final class ProxiedTenants implements AutoCloseable {
  final FakeUpstream upstream = new FakeUpstream();
  final TestKeyroom k;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One tenant's view: its key, the secret holding it, a workroom and a live session. */
  record Tenant(
      Tenancy.Founded founded,
      String key,
      CredentialId secret,
      Workroom workroom,
      Sessions.Started session,
      String placeholder) {
    String adminToken() {
      return founded.adminToken().token();
    }
  }

  ProxiedTenants(Path dir) {
    this(dir, UnaryOperator.identity());
  }

  ProxiedTenants(Path dir, UnaryOperator<Config> adjust) {
    Config base =
        TestKeyroom.config(dir, TestDatabases.sqliteUrl(dir))
            .withUpstream("gemini", upstream.url());
    this.k = TestKeyroom.start(adjust.apply(base), UnaryOperator.identity());
  }

  Tenant tenant(String name) {
    Tenancy.Founded t = k.tenant(name);
    String key =
        "canary-" + name + "-REALKEY-" + Long.toHexString(System.nanoTime()) + "-0123456789";
    CredentialScope scope = CredentialScope.tenantSecrets(t.tenant().id());
    CredentialId id =
        new CredentialId(
            k.keyroom
                .vault()
                .create(scope, "gemini", "gemini-prod", SecretValue.ofUtf8(key), "test")
                .id());
    Workroom room =
        k.keyroom
            .workrooms()
            .create(t.tenant().id(), "studio", List.of(new Workroom.Tool("gemini", id)), "test");
    k.addMember(t.tenant().id(), room.id(), t.admin().id());
    Sessions.Started s =
        k.keyroom
            .sessions()
            .start(t.tenant().id(), room.id(), t.admin().id(), StartedBy.SELF, "test");
    return new Tenant(t, key, id, room, s, placeholder(t, s));
  }

  /** Another live session of the same tenant and workroom. */
  Tenant anotherSession(Tenant t) {
    Sessions.Started s =
        k.keyroom
            .sessions()
            .start(
                t.founded().tenant().id(),
                t.workroom().id(),
                t.founded().admin().id(),
                StartedBy.SELF,
                "test");
    return new Tenant(
        t.founded(), t.key(), t.secret(), t.workroom(), s, placeholder(t.founded(), s));
  }

  private String placeholder(Tenancy.Founded t, Sessions.Started s) {
    return k.keyroom.sessions().placeholders(t.tenant().id(), s.session().id()).get("gemini");
  }

  HttpRequest.Builder request(Tenant t, String path, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(k.url() + "/proxy/gemini" + path))
            .timeout(Duration.ofSeconds(30))
            .header("x-goog-api-key", t.placeholder());
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  HttpResponse<String> get(Tenant t, String path, String... headers) {
    return send(request(t, path, headers).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<InputStream> stream(Tenant t, String path) {
    return send(request(t, path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(req, handler);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    k.close();
    upstream.close();
  }
}
