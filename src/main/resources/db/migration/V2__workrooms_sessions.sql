-- Workrooms (the tools they enable) and sessions (tokens and per-provider placeholders).

CREATE TABLE workrooms (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
);

-- "Connect your tools": which catalog kinds the workroom enables, and the tenant secret serving
-- each. credential_id is NULL for user-home kinds (each person's own integration is used).
CREATE TABLE workroom_tools (
  workroom_id    TEXT NOT NULL REFERENCES workrooms(id) ON DELETE CASCADE,
  tenant_id      TEXT NOT NULL,
  kind           TEXT NOT NULL,
  credential_id  TEXT REFERENCES credentials(id) ON DELETE SET NULL,
  PRIMARY KEY (workroom_id, kind)
);

CREATE TABLE sessions (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  workroom_id     TEXT NOT NULL REFERENCES workrooms(id) ON DELETE CASCADE,
  user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash      TEXT NOT NULL UNIQUE,
  started_at      BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL,
  idle_timeout_ms BIGINT NOT NULL,
  last_seen_at    BIGINT NOT NULL,
  ended_at        BIGINT,
  end_reason      TEXT
);
CREATE INDEX sessions_live ON sessions (tenant_id, workroom_id, ended_at);

-- One placeholder per (session, provider). Looked up by hash; the value itself is kept
-- encrypted with the tenant's data key so the environment can be fetched more than once.
CREATE TABLE session_placeholders (
  placeholder_hash  TEXT PRIMARY KEY,
  session_id        TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  tenant_id         TEXT NOT NULL,
  provider          TEXT NOT NULL,
  ciphertext        TEXT NOT NULL,
  created_at        BIGINT NOT NULL,
  UNIQUE (session_id, provider)
);
