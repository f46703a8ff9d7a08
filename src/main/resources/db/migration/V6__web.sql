-- Web UI sign-in: password hashes (Argon2id, PHC strings) and browser sessions.
-- Browser session ids are stored as SHA-256 hashes only; the cookie holds the only copy.

CREATE TABLE web_passwords (
  user_id      TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  hash         TEXT NOT NULL,
  must_change  INTEGER NOT NULL DEFAULT 0,
  updated_at   BIGINT NOT NULL
);

CREATE TABLE web_sessions (
  id_hash       TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  method        TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  last_seen_at  BIGINT NOT NULL,
  expires_at    BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (tenant_id, user_id);
