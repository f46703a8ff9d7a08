package dev.keyroom.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyroom.audit.AuditEvent;
import dev.keyroom.audit.AuditLog;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.crypto.TenantKeys;
import dev.keyroom.error.ConflictException;
import dev.keyroom.error.InvalidInputException;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.error.NotFoundException;
import dev.keyroom.store.Database;
import dev.keyroom.tenancy.TenantId;
import dev.keyroom.tenancy.TokenFormat;
import dev.keyroom.tenancy.UserId;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Profile → Integrations, the OAuth side: connect (authorization code + PKCE S256, single-use state
 * bound to the user and the browser, nonce for OIDC), show, refresh, hand out a fresh access token,
 * and disconnect (delete at once, then RFC 7009 revocation at the provider).
 */
public final class OAuthIntegrations {
  private static final Logger LOG = LoggerFactory.getLogger(OAuthIntegrations.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,200}");
  static final long SIGN_IN_TTL_MS = 10 * 60_000L;

  private final Vault vault;
  private final AuditLog audit;
  private final OAuthProviders providers;
  private final ProviderClient client;
  private final IntegrationStates states;
  private final PendingSignIns pending;
  private final TokenRefresher refresher;
  private final Clock clock;
  private final Supplier<String> publicUrl;
  private java.util.concurrent.ScheduledExecutorService background;

  public OAuthIntegrations(
      Database db,
      TenantKeys keys,
      Vault vault,
      AuditLog audit,
      OAuthProviders providers,
      Clock clock,
      Duration refreshAhead,
      Supplier<String> publicUrl) {
    this.vault = vault;
    this.audit = audit;
    this.providers = providers;
    this.client = new ProviderClient(Duration.ofSeconds(10), Duration.ofSeconds(20));
    this.states = new IntegrationStates(db);
    this.pending = new PendingSignIns(db, keys);
    this.refresher =
        new TokenRefresher(db, vault, states, providers, client, audit, clock, refreshAhead);
    this.clock = clock;
    this.publicUrl = publicUrl;
  }

  /**
   * A started sign-in: send the browser to {@code authorizationUrl}; set {@code browserBinding} as
   * a cookie.
   */
  public record Started(
      String provider,
      String authorizationUrl,
      String redirectUri,
      long expiresAt,
      String browserBinding) {
    @Override
    public String toString() {
      return "Started[provider=" + provider + ", expiresAt=" + expiresAt + "]";
    }
  }

  /** A completed sign-in. */
  public record Completed(IntegrationView integration, String returnTo) {}

  /** What a disconnect did at the provider. */
  public record Revocation(boolean attempted, boolean ok, String message) {}

  public OAuthProviders providers() {
    return providers;
  }

  /** The exact redirect URI registered with providers: {@code <public-url>/oauth/callback}. */
  public String redirectUri() {
    return publicUrl.get() + "/oauth/callback";
  }

  /**
   * Starts connecting {@code provider} for a user. {@code reconnect} names an existing integration
   * to give new tokens (after "needs reconnect"); {@code returnTo} must be a same-origin path.
   */
  public Started start(
      TenantId tenant,
      UserId user,
      String providerId,
      String name,
      List<String> scopes,
      CredentialId reconnect,
      String returnTo) {
    OAuthProvider p = providers.requireConfigured(providerId);
    CredentialScope scope = CredentialScope.integrationsOf(tenant, user);
    String n = name == null || name.isBlank() ? p.id() : name;
    if (!NAME.matcher(n).matches()) {
      throw new InvalidInputException(
          "name",
          "must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (reconnect != null) {
      IntegrationState s =
          states
              .find(tenant, user, reconnect)
              .orElseThrow(() -> new NotFoundException("no OAuth integration with that id"));
      if (!s.provider().equals(p.id())) {
        throw new InvalidInputException(
            "integrationId", "integration " + reconnect + " belongs to provider " + s.provider());
      }
      n = vault.get(scope, reconnect).name();
    } else {
      for (CredentialInfo c : vault.list(scope)) {
        if (c.name().equals(n) && c.kind().equals(p.kind().id())) {
          throw new ConflictException(
              "name: an integration of kind '"
                  + c.kind()
                  + "' named '"
                  + n
                  + "' already exists;"
                  + " choose another name or reconnect it (integrationId)");
        }
      }
    }
    List<String> wanted = scopes == null || scopes.isEmpty() ? p.scopes() : List.copyOf(scopes);
    for (String s : wanted) {
      if (s == null || !SCOPE.matcher(s).matches()) {
        throw new InvalidInputException(
            "scopes",
            "each scope must be 1-200 printable characters without spaces, quotes or backslashes");
      }
    }
    String checkedReturn = ReturnTo.check(returnTo);
    Pkce pkce = Pkce.generate();
    String nonce = p.oidc() ? Pkce.random() : null;
    String binding = Pkce.random();
    long now = clock.millis();
    long expires = now + SIGN_IN_TTL_MS;
    String redirect = redirectUri();
    String state =
        pending.create(
            tenant,
            user,
            p.id(),
            n,
            reconnect,
            wanted,
            pkce,
            nonce,
            TokenFormat.hash(binding),
            checkedReturn,
            now,
            expires);
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", p.clientId());
    q.put("redirect_uri", redirect);
    if (!wanted.isEmpty()) {
      q.put("scope", String.join(" ", wanted));
    }
    q.put("state", state);
    q.put("code_challenge", pkce.challenge());
    q.put("code_challenge_method", "S256");
    if (nonce != null) {
      q.put("nonce", nonce);
    }
    p.authorizeParams().forEach(q::putIfAbsent);
    StringBuilder url =
        new StringBuilder(p.authorizeUrl()).append(p.authorizeUrl().contains("?") ? '&' : '?');
    q.forEach(
        (k, v) ->
            url.append(ProviderClient.enc(k))
                .append('=')
                .append(ProviderClient.enc(v))
                .append('&'));
    url.setLength(url.length() - 1);
    return new Started(p.id(), url.toString(), redirect, expires, binding);
  }

  /**
   * Completes a sign-in from the provider's redirect. Every failure throws {@link
   * SignInFailedException} and stores nothing.
   */
  public Completed complete(String state, String code, String error, String browserBinding) {
    if (state == null || state.isBlank()) {
      throw new SignInFailedException(
          "state_missing",
          "the callback carries no state; start connecting again from" + " Profile → Integrations",
          null);
    }
    PendingSignIns.Pending s =
        pending
            .consume(state)
            .orElseThrow(
                () ->
                    new SignInFailedException(
                        "state_invalid",
                        "this sign-in is unknown, expired or was already completed; start connecting again from Profile → Integrations",
                        null));
    String back = s.returnTo();
    if (s.expiresAt() < clock.millis()) {
      throw new SignInFailedException(
          "state_expired",
          "this sign-in took longer than "
              + SIGN_IN_TTL_MS / 60_000
              + " minutes; start connecting again",
          back);
    }
    if (browserBinding == null
        || !TokenFormat.sameHash(s.bindingHash(), TokenFormat.hash(browserBinding))) {
      throw new SignInFailedException(
          "browser_mismatch",
          "this sign-in was started in another browser (or its cookie"
              + " is gone); start connecting again from the browser you use for Keyroom",
          back);
    }
    if (error != null) {
      String e = error.matches("[a-z_]{1,64}") ? error : "invalid_error";
      if (e.equals("access_denied")) {
        throw new SignInFailedException(
            "access_denied",
            "you declined access at " + s.provider() + "; nothing was stored",
            back);
      }
      throw new SignInFailedException(
          "provider_error",
          "provider " + s.provider() + " reported '" + e + "'; nothing was stored",
          back);
    }
    if (code == null || code.isBlank()) {
      throw new SignInFailedException(
          "code_missing", "the callback carries no authorization code; nothing was stored", back);
    }
    OAuthProvider p = providers.requireConfigured(s.provider());
    TokenResponse tokens;
    try {
      tokens = client.exchangeCode(p, code, redirectUri(), s.verifier());
    } catch (ProviderException e) {
      LOG.warn("sign-in with {} failed at the token endpoint: {}", p.id(), e.getMessage());
      if (e.kind() == ProviderException.Kind.INVALID_GRANT) {
        throw new SignInFailedException(
            "code_rejected",
            "provider "
                + p.id()
                + " refused the authorization code"
                + " (invalid_grant: expired, already used, or the PKCE verifier did not match); nothing was stored",
            back);
      }
      throw new SignInFailedException(
          "token_exchange_failed",
          "provider " + p.id() + " did not issue tokens (" + e.error() + "); nothing was stored",
          back);
    }
    long now = clock.millis();
    if (p.oidc()) {
      String problem =
          IdTokenCheck.problem(tokens.idToken(), s.nonce(), p.clientId(), p.issuer(), now);
      if (problem != null) {
        throw new SignInFailedException("id_token_invalid", problem + "; nothing was stored", back);
      }
    }
    String account = account(p, tokens.accessToken(), back);
    TokenBundle bundle = TokenBundle.from(tokens, now, s.scopes());
    CredentialScope scope = CredentialScope.integrationsOf(s.tenant(), s.user());
    String actor = "user:" + s.user().value();
    SecretValue value = bundle.toSecret();
    CredentialId id;
    try {
      if (s.reconnect() != null) {
        id = s.reconnect();
        states
            .find(s.tenant(), s.user(), id)
            .orElseThrow(
                () ->
                    new SignInFailedException(
                        "integration_gone",
                        "the integration to reconnect was deleted meanwhile; nothing was stored",
                        back));
        vault.renew(
            scope,
            id,
            value,
            actor,
            h -> {
              states.reconnected(
                  h,
                  id,
                  account,
                  bundle.expiresAt(),
                  bundle.scopes(),
                  bundle.refreshToken() != null,
                  now);
              audit.append(
                  h,
                  s.tenant(),
                  AuditEvent.of(actor, "integration.oauth.reconnect")
                      .target("credential", id.value())
                      .with("provider", p.id())
                      .with("scopes", String.join(" ", bundle.scopes())));
            });
      } else {
        id =
            new CredentialId(
                vault
                    .create(
                        scope,
                        p.kind().id(),
                        s.name(),
                        value,
                        actor,
                        (h, info) -> {
                          CredentialId created = new CredentialId(info.id());
                          states.insert(
                              h,
                              created,
                              s.tenant(),
                              s.user(),
                              p.id(),
                              account,
                              bundle.scopes(),
                              bundle.expiresAt(),
                              bundle.refreshToken() != null,
                              now);
                          audit.append(
                              h,
                              s.tenant(),
                              AuditEvent.of(actor, "integration.oauth.connect")
                                  .target("credential", info.id())
                                  .with("provider", p.id())
                                  .with("scopes", String.join(" ", bundle.scopes())));
                        })
                    .id());
      }
    } catch (SignInFailedException e) {
      throw e;
    } catch (KeyroomException e) {
      throw new SignInFailedException("not_stored", e.getMessage() + "; nothing was stored", back);
    } finally {
      value.destroy();
    }
    LOG.info("connected OAuth integration {} (provider {})", id, p.id());
    return new Completed(view(s.tenant(), s.user(), id), back);
  }

  private String account(OAuthProvider p, SecretValue accessToken, String back) {
    if (p.userinfoUrl() == null) {
      return null;
    }
    JsonNode info;
    try {
      info = client.userinfo(p, accessToken);
    } catch (ProviderException e) {
      LOG.warn("sign-in with {}: userinfo failed: {}", p.id(), e.getMessage());
      throw new SignInFailedException(
          "userinfo_failed",
          "provider "
              + p.id()
              + " did not say which account signed in ("
              + e.error()
              + "); nothing was stored",
          back);
    }
    for (String claim :
        new String[] {
          p.accountClaim(), "preferred_username", "login", "username", "email", "sub"
        }) {
      if (claim != null && info.hasNonNull(claim) && !info.get(claim).asText().isBlank()) {
        String a = info.get(claim).asText().replaceAll("\\p{Cntrl}", "");
        return a.length() > 200 ? a.substring(0, 200) : a;
      }
    }
    return null;
  }

  public List<IntegrationView> list(TenantId tenant, UserId user) {
    List<IntegrationView> out = new ArrayList<>();
    for (IntegrationState s : states.list(tenant, user)) {
      out.add(view(s, vault.get(CredentialScope.integrationsOf(tenant, user), s.id())));
    }
    return out;
  }

  public IntegrationView view(TenantId tenant, UserId user, CredentialId id) {
    IntegrationState s =
        states
            .find(tenant, user, id)
            .orElseThrow(() -> new NotFoundException("no OAuth integration with that id"));
    return view(s, vault.get(CredentialScope.integrationsOf(tenant, user), id));
  }

  private IntegrationView view(IntegrationState s, CredentialInfo info) {
    return new IntegrationView(
        s.id().value(),
        s.provider(),
        info.kind(),
        info.name(),
        s.account(),
        s.account() == null ? null : "connected as " + s.account(),
        s.scopes(),
        s.expiresAt(),
        info.isActive() ? s.shownStatus(clock.millis()) : "revoked",
        s.statusReason(),
        s.hasRefreshToken(),
        s.refreshedAt(),
        s.lastError(),
        s.lastErrorAt(),
        info.lastUsed(),
        s.createdAt());
  }

  /** Refreshes the access token now (on demand). */
  public IntegrationView refreshNow(TenantId tenant, UserId user, CredentialId id) {
    IntegrationState s =
        states
            .find(tenant, user, id)
            .orElseThrow(() -> new NotFoundException("no OAuth integration with that id"));
    refresher.refresh(CredentialScope.integrationsOf(tenant, user), id, s.generation(), true);
    return view(tenant, user, id);
  }

  /**
   * A valid access token for a user's OAuth integration, refreshed first when it expires soon — for
   * delivery into that user's own sessions. The caller must destroy it after use.
   */
  public SecretValue freshAccessToken(TenantId tenant, UserId user, CredentialId integrationId) {
    TokenBundle b = refresher.fresh(CredentialScope.integrationsOf(tenant, user), integrationId);
    vault.recordUse(
        tenant,
        integrationId,
        new CredentialInfo.LastUsed(clock.millis(), null, null, null, user.value()));
    if (b.refreshToken() != null) {
      b.refreshToken().destroy();
    }
    return b.accessToken();
  }

  /** True when {@code id} is one of the user's OAuth integrations. */
  public boolean isOAuthIntegration(TenantId tenant, UserId user, CredentialId id) {
    return states.find(tenant, user, id).isPresent();
  }

  /**
   * Disconnects: deletes the integration at once (live sessions are told through the vault's change
   * event), then asks the provider to revoke the tokens. A failed revocation is reported, never
   * undoes the deletion.
   */
  public Revocation disconnect(TenantId tenant, UserId user, CredentialId id, String actor) {
    IntegrationState s =
        states
            .find(tenant, user, id)
            .orElseThrow(() -> new NotFoundException("no OAuth integration with that id"));
    CredentialScope scope = CredentialScope.integrationsOf(tenant, user);
    TokenBundle tokens;
    try {
      tokens = refresher.open(scope, id);
    } catch (KeyroomException e) {
      tokens = null;
    }
    vault.delete(scope, id, actor);
    OAuthProvider p =
        providers.all().stream().filter(x -> x.id().equals(s.provider())).findFirst().orElse(null);
    if (p == null || p.revocationUrl() == null || !p.configured()) {
      return new Revocation(
          false,
          false,
          "provider "
              + s.provider()
              + " has no revocation endpoint; revoke the grant in"
              + " your account settings there if you want it gone at the provider too");
    }
    if (tokens == null) {
      return new Revocation(
          false,
          false,
          "the stored tokens could not be opened, so nothing was sent to the provider");
    }
    Revocation r;
    try {
      // RFC 7009 §2.1: revoking the refresh token also ends the access tokens of that grant.
      if (tokens.refreshToken() != null) {
        client.revoke(p, tokens.refreshToken(), "refresh_token");
      } else {
        client.revoke(p, tokens.accessToken(), "access_token");
      }
      r = new Revocation(true, true, "revoked at " + p.id());
    } catch (ProviderException e) {
      LOG.warn("revocation of OAuth integration {} at {} failed: {}", id, p.id(), e.getMessage());
      r =
          new Revocation(
              true,
              false,
              "the integration was deleted, but revoking it at "
                  + p.id()
                  + " failed ("
                  + e.error()
                  + "); revoke the grant in your account settings there");
    } finally {
      tokens.accessToken().destroy();
      if (tokens.refreshToken() != null) {
        tokens.refreshToken().destroy();
      }
    }
    audit.record(
        tenant,
        AuditEvent.of(actor, "integration.oauth.revoke")
            .target("credential", id.value())
            .outcome(r.ok() ? "ok" : "failed")
            .with("provider", p.id()));
    return r;
  }

  /**
   * One pass of the background refresher: tokens expiring within {@code window}, and grants idle
   * for a day.
   */
  public int refreshDue(Duration window) {
    long now = clock.millis();
    int done = 0;
    for (IntegrationState s :
        states.due(now + window.toMillis(), now - Duration.ofDays(1).toMillis(), 100)) {
      CredentialScope scope = CredentialScope.integrationsOf(s.tenant(), s.user());
      try {
        refresher.refresh(scope, s.id(), s.generation(), s.fresh(now, window.toMillis()));
        done++;
      } catch (KeyroomException e) {
        LOG.warn(
            "background refresh of OAuth integration {} did not complete: {}",
            s.id(),
            e.getMessage());
      }
    }
    return done;
  }

  /** Starts the background refresher (one daemon thread); an interval of zero leaves it off. */
  public void startBackgroundRefresh(Duration interval, Duration ahead) {
    if (interval.isZero() || interval.isNegative() || background != null) {
      return;
    }
    background =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keyroom-oauth-refresh");
              t.setDaemon(true);
              return t;
            });
    Duration window = ahead.plus(interval);
    background.scheduleWithFixedDelay(
        () -> {
          try {
            refreshDue(window);
          } catch (RuntimeException e) {
            LOG.warn("background OAuth refresh pass failed: {}", e.getClass().getName());
          }
        },
        interval.toMillis(),
        interval.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Stops the background refresher. */
  public void close() {
    if (background != null) {
      background.shutdownNow();
    }
  }

  TokenRefresher refresher() {
    return refresher;
  }
}
