-- OAuth integrations. The tokens themselves live in the vault (credentials / credential_versions,
-- encrypted and bound to their row); these tables hold what is not secret, the refresh lease
-- that lets one caller at a time refresh across Keyroom nodes, and pending sign-ins.

CREATE TABLE oauth_integrations (
  credential_id  TEXT PRIMARY KEY REFERENCES credentials(id) ON DELETE CASCADE,
  tenant_id      TEXT NOT NULL,
  user_id        TEXT NOT NULL,
  provider       TEXT NOT NULL,
  account        TEXT,
  scopes         TEXT NOT NULL,
  expires_at     BIGINT,
  has_refresh    INTEGER NOT NULL,
  status         TEXT NOT NULL,
  status_reason  TEXT,
  generation     BIGINT NOT NULL,
  refreshed_at   BIGINT,
  failures       INTEGER NOT NULL DEFAULT 0,
  last_error     TEXT,
  last_error_at  BIGINT,
  lease_owner    TEXT,
  lease_until    BIGINT,
  created_at     BIGINT NOT NULL
);
CREATE INDEX oauth_integrations_due ON oauth_integrations (status, expires_at);

-- A sign-in between "start" and the provider's redirect back. Looked up by the hash of its
-- state; the PKCE verifier and nonce are encrypted with the tenant's data key.
CREATE TABLE oauth_pending (
  state_hash      TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider        TEXT NOT NULL,
  name            TEXT NOT NULL,
  reconnect_id    TEXT,
  scopes          TEXT NOT NULL,
  secrets         TEXT NOT NULL,
  binding_hash    TEXT NOT NULL,
  return_to       TEXT,
  created_at      BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL
);
CREATE INDEX oauth_pending_expiry ON oauth_pending (expires_at);
