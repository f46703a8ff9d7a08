package dev.keyroom.oauth;

import dev.keyroom.catalog.Catalog;
import dev.keyroom.catalog.CredentialKind;
import dev.keyroom.crypto.SecretValue;
import dev.keyroom.error.KeyroomException;
import dev.keyroom.session.EnvironmentContributor;
import dev.keyroom.session.SessionInfo;
import dev.keyroom.session.SessionVariable;
import dev.keyroom.session.Workroom;
import dev.keyroom.vault.CredentialId;
import dev.keyroom.vault.CredentialInfo;
import dev.keyroom.vault.CredentialScope;
import dev.keyroom.vault.Vault;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers OAuth logins into sessions as the catalog says: for each OAuth tool the workroom
 * enables, the session user's own newest integration of that kind gives a fresh access token
 * (refreshed first when it expires soon) under the kind's {@code keyVar} (e.g. {@code GH_TOKEN}).
 * Never another user's integration, never the refresh token.
 */
public final class OAuthEnvironment implements EnvironmentContributor {
  private static final Logger LOG = LoggerFactory.getLogger(OAuthEnvironment.class);

  private final Catalog catalog;
  private final Vault vault;
  private final OAuthIntegrations oauth;

  public OAuthEnvironment(Catalog catalog, Vault vault, OAuthIntegrations oauth) {
    this.catalog = catalog;
    this.vault = vault;
    this.oauth = oauth;
  }

  @Override
  public List<SessionVariable> contribute(SessionInfo session, Workroom workroom) {
    List<SessionVariable> out = new ArrayList<>();
    List<CredentialInfo> own = null;
    for (Workroom.Tool tool : workroom.tools()) {
      Optional<CredentialKind> kind = catalog.find(tool.kind());
      if (kind.isEmpty() || !kind.get().isOAuth() || kind.get().envVar("keyVar") == null) {
        continue;
      }
      if (own == null) {
        own = vault.list(CredentialScope.integrationsOf(session.tenant(), session.user()));
      }
      Optional<CredentialInfo> newest =
          own.stream()
              .filter(c -> c.kind().equals(kind.get().id()) && c.isActive())
              .filter(
                  c ->
                      oauth.isOAuthIntegration(
                          session.tenant(), session.user(), new CredentialId(c.id())))
              .max(Comparator.comparingLong(CredentialInfo::createdAt));
      if (newest.isEmpty()) {
        continue;
      }
      CredentialId id = new CredentialId(newest.get().id());
      try {
        SecretValue token = oauth.freshAccessToken(session.tenant(), session.user(), id);
        int version =
            vault
                .get(CredentialScope.integrationsOf(session.tenant(), session.user()), id)
                .version();
        out.add(
            new SessionVariable(
                kind.get().envVar("keyVar"), token, true, new SessionVariable.Source(id, version)));
      } catch (KeyroomException e) {
        LOG.warn(
            "session {}: OAuth integration {} not delivered: {}", session.id(), id, e.getMessage());
      }
    }
    return out;
  }
}
