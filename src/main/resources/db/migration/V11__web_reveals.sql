-- Values the web UI shows once after a form post (a new session's token, a new API token, a
-- one-time password): the post stores the value here, encrypted under the tenant's data key and
-- bound to the browser session, and redirects; the next page of that browser session shows it
-- and deletes the row in the same step. Signing out (or being disabled) deletes the rows with the
-- browser session; rows nobody fetched are deleted once expired.

CREATE TABLE web_reveals (
  id                TEXT PRIMARY KEY,
  browser_session   TEXT NOT NULL REFERENCES web_sessions(id_hash) ON DELETE CASCADE,
  tenant_id         TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  kind              TEXT NOT NULL,
  subject_id        TEXT NOT NULL,
  ciphertext        TEXT NOT NULL,
  expires_at        BIGINT NOT NULL
);
CREATE INDEX web_reveals_session ON web_reveals (browser_session, kind, subject_id);
CREATE INDEX web_reveals_expiry ON web_reveals (expires_at);
