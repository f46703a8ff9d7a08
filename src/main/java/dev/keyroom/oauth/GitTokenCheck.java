package dev.keyroom.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyroom.api.CredentialHeader;
import dev.keyroom.api.OutboundHttp;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.ResolvedCredential;
import dev.keyroom.vault.Vault;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * "Test this token": checks a user's git token (or OAuth login) against the git host's API ({@code
 * GET <git-api-url>/user}, the token in the Authorization header) and says which account it belongs
 * to. The base URL is a setting, never taken from the request.
 */
public final class GitTokenCheck {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The outcome; {@code status} is the git host's HTTP status (0 when unreachable). */
  public record Result(boolean ok, int status, String account, String message) {}

  private final Vault vault;
  private final OAuthIntegrations oauth;
  private final String apiUrl;
  private final OutboundHttp http = new OutboundHttp(Duration.ofSeconds(10));

  public GitTokenCheck(Vault vault, OAuthIntegrations oauth, String apiUrl) {
    this.vault = vault;
    this.oauth = oauth;
    this.apiUrl = apiUrl.replaceAll("/+$", "");
  }

  public Result test(TenantId tenant, UserId user, CredentialId id) {
    CredentialScope scope = CredentialScope.integrationsOf(tenant, user);
    CredentialInfo info = vault.get(scope, id);
    SecretValue token;
    String url;
    if (info.kind().equals("git-token")) {
      ResolvedCredential r = vault.resolve(scope, id, null);
      token = r.value();
      url = apiUrl + "/user";
    } else if (oauth.isOAuthIntegration(tenant, user, id)) {
      OAuthProvider p = oauth.providers().forKind(info.kind());
      if (p == null || p.userinfoUrl() == null) {
        throw new InvalidInputException(
            "id", "provider of integration " + id + " has no userinfo endpoint to test against");
      }
      token = oauth.freshAccessToken(tenant, user, id);
      url = p.userinfoUrl();
    } else {
      throw new InvalidInputException(
          "id",
          "a test call is available for git-token integrations and OAuth logins, not for kind '"
              + info.kind()
              + "'");
    }
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(20))
              .header("Authorization", CredentialHeader.value(id.value(), "Bearer {key}", token))
              .header("Accept", "application/json")
              .header("User-Agent", "keyroom")
              .GET()
              .build();
      HttpResponse<String> res = http.client().send(req, HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() == 200) {
        return new Result(true, 200, account(res.body()), "the token works");
      }
      return new Result(
          false,
          res.statusCode(),
          null,
          res.statusCode() == 401 || res.statusCode() == 403
              ? "the git host refused the token ("
                  + res.statusCode()
                  + "): it is wrong, expired or lacks access"
              : "the git host answered " + res.statusCode());
    } catch (IOException e) {
      return new Result(
          false, 0, null, "the git host is unreachable (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(false, 0, null, "interrupted");
    } finally {
      token.destroy();
    }
  }

  private static String account(String body) {
    try {
      JsonNode n = MAPPER.readTree(body);
      for (String f : new String[] {"login", "username", "preferred_username", "email"}) {
        if (n != null && n.hasNonNull(f)) {
          return n.get(f).asText().replaceAll("\\p{Cntrl}", "");
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }
}
