-- Workroom network access, several custom environment secrets per workroom, the delivery
-- ledger and the tenant's revocation policy. Portable between SQLite and PostgreSQL.

-- workroom_tools allowed one row per kind; custom environment secrets (kind 'env') need several.
-- slot is the credential id for tenant kinds and '' for user-home kinds.
CREATE TABLE workroom_tools_v4 (
  workroom_id    TEXT NOT NULL REFERENCES workrooms(id) ON DELETE CASCADE,
  tenant_id      TEXT NOT NULL,
  kind           TEXT NOT NULL,
  slot           TEXT NOT NULL,
  credential_id  TEXT REFERENCES credentials(id) ON DELETE SET NULL,
  position       INTEGER NOT NULL,
  PRIMARY KEY (workroom_id, kind, slot)
);
INSERT INTO workroom_tools_v4 (workroom_id, tenant_id, kind, slot, credential_id, position)
  SELECT workroom_id, tenant_id, kind, COALESCE(credential_id, ''), credential_id, 0 FROM workroom_tools;
DROP TABLE workroom_tools;
ALTER TABLE workroom_tools_v4 RENAME TO workroom_tools;

-- "Network access": the Tailscale auth key secret (NULL: none).
ALTER TABLE workrooms ADD COLUMN tailscale_credential_id TEXT;

-- "Network access": private endpoints, each optionally with a database password secret.
CREATE TABLE workroom_endpoints (
  workroom_id    TEXT NOT NULL REFERENCES workrooms(id) ON DELETE CASCADE,
  tenant_id      TEXT NOT NULL,
  name           TEXT NOT NULL,
  host           TEXT NOT NULL,
  port           INTEGER NOT NULL,
  protocol       TEXT NOT NULL,
  credential_id  TEXT,
  db_user        TEXT,
  db_name        TEXT,
  position       INTEGER NOT NULL,
  PRIMARY KEY (workroom_id, name)
);

-- The session token, encrypted with the tenant's data key (looked up by hash only), so the
-- platform's service token can fetch a complete environment more than once.
ALTER TABLE sessions ADD COLUMN token_ciphertext TEXT;

-- The delivery ledger: which credential version went into which session, who fetched it, when,
-- and when the session's copy was wiped (the session ended).
CREATE TABLE session_deliveries (
  id             TEXT PRIMARY KEY,
  tenant_id      TEXT NOT NULL,
  session_id     TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  credential_id  TEXT NOT NULL,
  version        INTEGER NOT NULL,
  variables      TEXT NOT NULL,
  fetched_by     TEXT NOT NULL,
  fetched_at     BIGINT NOT NULL,
  wiped_at       BIGINT
);
CREATE INDEX session_deliveries_credential ON session_deliveries (tenant_id, credential_id, wiped_at);
CREATE INDEX session_deliveries_session ON session_deliveries (session_id);

-- What revoking or replacing an injected credential does to live sessions holding a copy.
CREATE TABLE session_policies (
  tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  on_revoke   TEXT NOT NULL,
  updated_at  BIGINT NOT NULL
);

-- The expiry sweeper looks for open sessions.
CREATE INDEX sessions_open ON sessions (ended_at, expires_at);
