-- Usage of proxied provider calls: one row per request, written asynchronously in batches.
-- Credentials are named by id and version only; paths carry no query string.

CREATE TABLE usage_records (
  id                  TEXT PRIMARY KEY,
  tenant_id           TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  at                  BIGINT NOT NULL,
  workroom_id         TEXT,
  session_id          TEXT,
  user_id             TEXT,
  skill               TEXT,
  provider            TEXT NOT NULL,
  credential_id       TEXT,
  credential_version  INTEGER,
  method              TEXT NOT NULL,
  path                TEXT NOT NULL,
  status              INTEGER NOT NULL,
  outcome             TEXT NOT NULL,
  request_bytes       BIGINT NOT NULL,
  response_bytes      BIGINT NOT NULL,
  latency_ms          BIGINT NOT NULL,
  input_tokens        BIGINT,
  output_tokens       BIGINT,
  total_tokens        BIGINT,
  characters          BIGINT,
  credits             DOUBLE PRECISION
);
CREATE INDEX usage_records_tenant_at ON usage_records (tenant_id, at);
