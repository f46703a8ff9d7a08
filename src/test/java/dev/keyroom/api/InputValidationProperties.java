package dev.keyroom.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.tenancy.Tenancy;
import dev.keyroom.testing.TestKeyroom;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random input against the real API: whatever the names, kinds, values and JSON shapes, the answer
 * is never a 5xx, always the error shape, and never echoes the value.
 */
class InputValidationProperties {
  private static Path dir;
  private static TestKeyroom k;
  private static String admin;

  @BeforeContainer
  static void start() throws IOException {
    dir = Files.createTempDirectory("keyroom-props");
    k = TestKeyroom.sqlite(dir);
    Tenancy.Founded acme = k.tenant("acme");
    admin = acme.adminToken().token();
  }

  @AfterContainer
  static void stop() {
    k.close();
  }

  static JsonNode json(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String write(Object o) {
    try {
      return Json.MAPPER.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A response is either success or the documented error shape; never 5xx; never the value. */
  static void wellBehaved(HttpResponse<String> res, String value) {
    assertThat(res.statusCode()).as(res.body()).isLessThan(500);
    JsonNode body = json(res.body());
    if (res.statusCode() >= 400) {
      assertThat(body.get("error").isTextual()).isTrue();
      assertThat(body.get("message").isTextual()).isTrue();
      assertThat(body.size()).isEqualTo(2);
    }
    if (value != null && value.length() >= 6) {
      assertThat(body.toString()).doesNotContain(value);
      assertThat(res.body()).doesNotContain(value);
    }
  }

  @Provide
  Arbitrary<String> values() {
    Arbitrary<String> any = Arbitraries.strings().ofMinLength(0).ofMaxLength(80);
    Arbitrary<String> marked =
        Arbitraries.strings()
            .withCharRange('!', '~')
            .withChars('é', '€', '\n', '\t', '"', '\\')
            .ofMinLength(4)
            .ofMaxLength(60)
            .map(s -> "cnry" + s);
    return Arbitraries.oneOf(any, marked);
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMinLength(0).ofMaxLength(100),
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('.', '_', '-', '/', ' ', 'A', '0')
            .ofMinLength(1)
            .ofMaxLength(70),
        Arbitraries.just(null));
  }

  @Provide
  Arbitrary<String> kinds() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "gemini", "openai", "git-token", "env", "personal-env", "tailscale-auth-key"),
        Arbitraries.strings().ofMinLength(0).ofMaxLength(30),
        Arbitraries.just(null));
  }

  @Property(tries = 250)
  void createSecret_neverFailsWithA5xx_norEchoesTheValue(
      @ForAll("kinds") String kind, @ForAll("names") String name, @ForAll("values") String value) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("kind", kind);
    body.put("name", name);
    body.put("value", value);
    wellBehaved(k.post("/api/v1/secrets", admin, write(body)), value);
    wellBehaved(k.post("/api/v1/me/integrations", admin, write(body)), value);
  }

  @Provide
  Arbitrary<Object> jsonValues() {
    return Arbitraries.recursive(
        () ->
            Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null)),
        inner ->
            Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(l -> (Object) l),
                Arbitraries.maps(
                        Arbitraries.of(
                            "kind",
                            "name",
                            "value",
                            "version",
                            "role",
                            "kinds",
                            "description",
                            "x"),
                        inner)
                    .ofMaxSize(5)
                    .map(m -> (Object) m)),
        0,
        4);
  }

  @Property(tries = 250)
  void arbitraryJsonShapes_onEveryBodyRoute_areA4xxOrSuccess(
      @ForAll("jsonValues") Object body, @ForAll("bodyRoutes") String route) {
    String[] parts = route.split(" ", 2);
    wellBehaved(k.send(parts[0], parts[1], admin, write(body)), null);
  }

  @Provide
  Arbitrary<String> bodyRoutes() {
    return Arbitraries.of(
        List.of(
            "POST /api/v1/secrets",
            "POST /api/v1/me/integrations",
            "POST /api/v1/users",
            "POST /api/v1/skills",
            "POST /api/v1/me/tokens",
            "PATCH /api/v1/users/usr_aaaaaaaaaaaaaaaaaaaaaaaaaa",
            "PUT /api/v1/secrets/cred_aaaaaaaaaaaaaaaaaaaaaaaaaa/value"));
  }

  @Property(tries = 150)
  void arbitraryBytes_areA4xx(@ForAll byte[] bytes, @ForAll("bodyRoutes") String route) {
    String[] parts = route.split(" ", 2);
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(k.url() + parts[1]))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + admin)
              .header("Content-Type", "application/json")
              .method(parts[0], HttpRequest.BodyPublishers.ofByteArray(bytes))
              .build();
      HttpResponse<String> res = k.http.send(req, HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).as(res.body()).isBetween(200, 499);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Property(tries = 200)
  void randomPathIds_areNotFound_neverA5xx(@ForAll("pathSegments") String segment) {
    for (String base :
        List.of(
            "/api/v1/secrets/", "/api/v1/me/integrations/", "/api/v1/skills/", "/api/v1/users/")) {
      HttpResponse<String> res = k.get(base + segment, admin);
      assertThat(res.statusCode()).as(base + segment + " " + res.body()).isBetween(400, 499);
    }
  }

  @Provide
  Arbitrary<String> pathSegments() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withChars('_', '2', '7', '-', '%', '.', ' ', '/')
        .ofMinLength(1)
        .ofMaxLength(40)
        .map(s -> java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8));
  }
}
