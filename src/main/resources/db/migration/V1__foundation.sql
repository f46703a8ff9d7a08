-- Keyroom foundation schema. Portable between SQLite and PostgreSQL:
-- times are epoch milliseconds (BIGINT), binary data is base64 TEXT.

CREATE TABLE keyroom_meta (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  created_at  BIGINT NOT NULL,
  -- head of the audit hash chain: detects truncation of the newest rows
  audit_seq   BIGINT NOT NULL DEFAULT 0,
  audit_head  TEXT NOT NULL DEFAULT ''
);

-- Per-tenant data keysets, wrapped by the master key. Deleting the row crypto-shreds the tenant.
CREATE TABLE tenant_keys (
  tenant_id    TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  aead_keyset  TEXT NOT NULL,
  mac_keyset   TEXT NOT NULL,
  updated_at   BIGINT NOT NULL
);

CREATE TABLE users (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  role        TEXT NOT NULL,
  status      TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE api_tokens (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id       TEXT REFERENCES users(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL,
  name          TEXT NOT NULL,
  token_hash    TEXT NOT NULL UNIQUE,
  created_at    BIGINT NOT NULL,
  last_used_at  BIGINT,
  revoked_at    BIGINT
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id, user_id);

CREATE TABLE skills (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  description  TEXT NOT NULL,
  kinds        TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE credentials (
  id                  TEXT PRIMARY KEY,
  tenant_id           TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  home                TEXT NOT NULL,
  owner_user_id       TEXT REFERENCES users(id) ON DELETE CASCADE,
  owner_key           TEXT NOT NULL,
  kind                TEXT NOT NULL,
  name                TEXT NOT NULL,
  current_version     INTEGER NOT NULL,
  status              TEXT NOT NULL,
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL,
  last_used_at        BIGINT,
  last_used_session   TEXT,
  last_used_workroom  TEXT,
  last_used_skill     TEXT,
  last_used_user      TEXT,
  UNIQUE (tenant_id, home, owner_key, name)
);
CREATE INDEX credentials_tenant_kind ON credentials (tenant_id, home, kind);

CREATE TABLE credential_versions (
  credential_id  TEXT NOT NULL REFERENCES credentials(id) ON DELETE CASCADE,
  tenant_id      TEXT NOT NULL,
  version        INTEGER NOT NULL,
  ciphertext     TEXT NOT NULL,
  hint           TEXT,
  fingerprint    TEXT NOT NULL,
  status         TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  revoked_at     BIGINT,
  PRIMARY KEY (credential_id, version)
);

CREATE TABLE audit_events (
  tenant_id    TEXT NOT NULL,
  seq          BIGINT NOT NULL,
  at           BIGINT NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  target_type  TEXT,
  target_id    TEXT,
  outcome      TEXT NOT NULL,
  session_id   TEXT,
  workroom_id  TEXT,
  skill        TEXT,
  detail       TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_events_action ON audit_events (tenant_id, action, at);
