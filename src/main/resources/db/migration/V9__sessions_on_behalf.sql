-- Who may act for whom. A session records who started it: the user themselves ('self') or the
-- platform's service identity on the user's behalf ('platform'). A user's own integrations
-- reach a platform-started session only with that user's standing consent for the workroom.
-- Sessions that predate this column are treated as platform-started (no consent: no integrations).
ALTER TABLE sessions ADD COLUMN started_by TEXT NOT NULL DEFAULT 'platform';

CREATE TABLE integration_consents (
  tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  workroom_id  TEXT NOT NULL REFERENCES workrooms(id) ON DELETE CASCADE,
  granted_at   BIGINT NOT NULL,
  PRIMARY KEY (user_id, workroom_id)
);
CREATE INDEX integration_consents_tenant ON integration_consents (tenant_id, user_id);

-- A delivery is either a value handed to the session ('value') or a placeholder that stands for
-- a proxied key ('placeholder'). Revoking either reaches the session; replacing a proxied key
-- does not (the session never held it).
ALTER TABLE session_deliveries ADD COLUMN delivery TEXT NOT NULL DEFAULT 'value';

-- Service tokens act for members, so from now on only the operator mints them. Tokens that a
-- tenant admin minted through the API before are revoked here (at the time of the newest audit
-- event, the closest portable "now"); the audit log names who issued each one.
UPDATE api_tokens SET revoked_at = COALESCE((SELECT MAX(at) FROM audit_events), created_at)
  WHERE kind = 'service' AND revoked_at IS NULL
    AND id IN (SELECT target_id FROM audit_events WHERE action = 'token.issue' AND actor LIKE 'user:%');
