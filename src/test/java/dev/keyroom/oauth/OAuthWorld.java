package dev.keyroom.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keyroom.app.Config;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * The edge of the world for OAuth tests: a real OAuth 2.0 / OIDC server (mock-oauth2-server, in
 * process, non-interactive login) for authorization, code exchange with PKCE, userinfo and
 * revocation — plus a small real HTTP token endpoint in front of it that forwards authorization
 * codes to the real server, and answers refresh grants itself so a test can count calls, rotate
 * refresh tokens (the old one stops working) and script failures (500, invalid_grant).
 */
final class OAuthWorld implements AutoCloseable {
  static final String ISSUER = "keyroom-test";
  static final String CLIENT_ID = "keyroom-client";
  static final String CLIENT_SECRET = "canary-client-secret-7d1f0c2a9b";
  static final String SUBJECT = "alice.example";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  final MockOAuth2Server mock;
  private final HttpServer edge;
  private final HttpClient http = HttpClient.newHttpClient();

  final AtomicInteger codeGrants = new AtomicInteger();
  final AtomicInteger refreshGrants = new AtomicInteger();
  final AtomicInteger revocations = new AtomicInteger();
  final Set<String> validRefreshTokens = ConcurrentHashMap.newKeySet();
  final List<String> issuedTokens = new CopyOnWriteArrayList<>();
  final List<String> revokedTokens = new CopyOnWriteArrayList<>();

  /** Authorization codes and PKCE verifiers Keyroom sent to the token endpoint (for leak scans). */
  final List<String> signInSecrets = new CopyOnWriteArrayList<>();

  final Deque<Integer> scriptedRefresh = new ArrayDeque<>();
  volatile boolean rotate = true;
  volatile long refreshDelayMs = 0;
  volatile long expiresIn = 3600;
  volatile int revocationStatus = 200;

  /**
   * Runs inside the token endpoint before it answers a refresh grant (e.g. "another node refreshes
   * now").
   */
  volatile Runnable beforeRefreshAnswer = () -> {};

  OAuthWorld() {
    mock =
        new MockOAuth2Server(
            new OAuth2Config(
                false,
                null,
                null,
                false,
                new no.nav.security.mock.oauth2.token.OAuth2TokenProvider(),
                Set.of(
                    new DefaultOAuth2TokenCallback(
                        ISSUER,
                        SUBJECT,
                        "JWT",
                        List.of(CLIENT_ID),
                        Map.of("preferred_username", SUBJECT),
                        3600))));
    mock.start();
    try {
      edge = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    edge.setExecutor(Executors.newFixedThreadPool(8));
    edge.createContext("/token", this::token);
    edge.createContext("/revoke", this::revoke);
    edge.start();
  }

  String edgeUrl() {
    return "http://127.0.0.1:" + edge.getAddress().getPort();
  }

  /**
   * Keyroom settings for provider {@code generic} pointed at this world; {@code viaEdge} routes
   * token and revocation through the counting endpoint.
   */
  Config configure(Config c, boolean viaEdge) {
    return c.withOAuth("generic", "client-id", CLIENT_ID)
        .withOAuth("generic", "client-secret", CLIENT_SECRET)
        .withOAuth("generic", "authorize-url", mock.authorizationEndpointUrl(ISSUER).toString())
        .withOAuth(
            "generic",
            "token-url",
            viaEdge ? edgeUrl() + "/token" : mock.tokenEndpointUrl(ISSUER).toString())
        .withOAuth(
            "generic",
            "revocation-url",
            viaEdge ? edgeUrl() + "/revoke" : mock.revocationEndpointUrl(ISSUER).toString())
        .withOAuth("generic", "userinfo-url", mock.userInfoUrl(ISSUER).toString())
        .withOAuth("generic", "issuer", mock.issuerUrl(ISSUER).toString())
        .withOAuth("generic", "oidc", "true")
        .withOAuth("generic", "scopes", "openid profile offline_access")
        .withOAuth("generic", "account-claim", "sub")
        .with(Config.Setting.OAUTH_REFRESH_INTERVAL, "0");
  }

  private void token(HttpExchange ex) throws IOException {
    byte[] raw = ex.getRequestBody().readAllBytes();
    Map<String, String> form = form(new String(raw, StandardCharsets.UTF_8));
    if ("authorization_code".equals(form.get("grant_type"))) {
      codeGrants.incrementAndGet();
      signInSecrets.add(form.get("code"));
      signInSecrets.add(form.get("code_verifier"));
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(mock.tokenEndpointUrl(ISSUER).toString()))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofByteArray(raw));
      if (ex.getRequestHeaders().getFirst("Authorization") != null) {
        b.header("Authorization", ex.getRequestHeaders().getFirst("Authorization"));
      }
      try {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          JsonNode n = MAPPER.readTree(r.body());
          if (n.hasNonNull("refresh_token")) {
            validRefreshTokens.add(n.get("refresh_token").asText());
            issuedTokens.add(n.get("refresh_token").asText());
          }
          issuedTokens.add(n.get("access_token").asText());
        }
        send(ex, r.statusCode(), r.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        send(ex, 500, "{}");
      }
      return;
    }
    if (!"refresh_token".equals(form.get("grant_type"))) {
      send(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
      return;
    }
    refreshGrants.incrementAndGet();
    if (refreshDelayMs > 0) {
      try {
        Thread.sleep(refreshDelayMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    beforeRefreshAnswer.run();
    Integer scripted;
    synchronized (scriptedRefresh) {
      scripted = scriptedRefresh.poll();
    }
    if (scripted != null && scripted >= 500) {
      send(ex, scripted, "{\"error\":\"server_error\"}");
      return;
    }
    String rt = form.get("refresh_token");
    boolean known =
        rt != null && (rotate ? validRefreshTokens.remove(rt) : validRefreshTokens.contains(rt));
    if ((scripted != null && scripted == 400) || !known) {
      send(
          ex,
          400,
          "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token "
              + rt
              + " is not valid\"}");
      return;
    }
    String access = "canary-at-" + UUID.randomUUID();
    issuedTokens.add(access);
    ObjectNode out =
        MAPPER
            .createObjectNode()
            .put("access_token", access)
            .put("token_type", "Bearer")
            .put("expires_in", expiresIn)
            .put("scope", "openid profile offline_access");
    if (rotate) {
      String next = "canary-rt-" + UUID.randomUUID();
      validRefreshTokens.add(next);
      issuedTokens.add(next);
      out.put("refresh_token", next);
    }
    send(ex, 200, MAPPER.writeValueAsString(out));
  }

  private void revoke(HttpExchange ex) throws IOException {
    Map<String, String> form =
        form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    revocations.incrementAndGet();
    if (revocationStatus == 200) {
      revokedTokens.add(form.get("token"));
      validRefreshTokens.remove(form.get("token"));
    }
    send(ex, revocationStatus, revocationStatus == 200 ? "" : "{\"error\":\"server_error\"}");
  }

  void script(Integer... statuses) {
    synchronized (scriptedRefresh) {
      scriptedRefresh.addAll(List.of(statuses));
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }

  static Map<String, String> form(String body) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int i = pair.indexOf('=');
      if (i > 0) {
        m.put(
            URLDecoder.decode(pair.substring(0, i), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8));
      }
    }
    return m;
  }

  static Map<String, String> query(String url) {
    int q = url.indexOf('?');
    return q < 0 ? Map.of() : form(url.substring(q + 1));
  }

  @Override
  public void close() {
    edge.stop(0);
    mock.shutdown();
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
