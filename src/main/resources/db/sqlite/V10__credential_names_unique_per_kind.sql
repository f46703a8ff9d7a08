-- Credential names are unique per kind, not across kinds: a Gemini key and a database password
-- may both be called "prod". The unique key becomes (tenant_id, home, owner_key, kind, name).
--
-- SQLite cannot drop a table's inline UNIQUE constraint, so the table is rebuilt the way SQLite
-- documents ("Making Other Kinds Of Table Schema Changes"): foreign keys off, then in one
-- transaction create, copy, drop, rename, re-index; foreign keys on again. With foreign keys on,
-- dropping the old table would cascade to credential_versions and oauth_integrations. Rows of
-- other tables keep pointing at the same ids, and the rename makes their references resolve to
-- the new table. Runs outside Flyway's transaction (V10__….sql.conf), because PRAGMA foreign_keys
-- is ignored inside one.
PRAGMA foreign_keys = OFF;

SAVEPOINT v10;

CREATE TABLE credentials_v10 (
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
  hosts               TEXT,
  UNIQUE (tenant_id, home, owner_key, kind, name)
);

INSERT INTO credentials_v10 (id, tenant_id, home, owner_user_id, owner_key, kind, name, current_version, status,
    created_at, updated_at, last_used_at, last_used_session, last_used_workroom, last_used_skill, last_used_user, hosts)
  SELECT id, tenant_id, home, owner_user_id, owner_key, kind, name, current_version, status,
    created_at, updated_at, last_used_at, last_used_session, last_used_workroom, last_used_skill, last_used_user, hosts
  FROM credentials;

DROP TABLE credentials;

ALTER TABLE credentials_v10 RENAME TO credentials;

CREATE INDEX credentials_tenant_kind ON credentials (tenant_id, home, kind);

RELEASE v10;

PRAGMA foreign_keys = ON;
