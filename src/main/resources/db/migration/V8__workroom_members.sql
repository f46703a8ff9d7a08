-- Workroom membership: only a workroom's members start sessions in it (and so receive its injected
-- operational secrets); a non-admin sees only the workrooms they are a member of.

CREATE TABLE workroom_members (
  workroom_id  TEXT NOT NULL REFERENCES workrooms(id) ON DELETE CASCADE,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  added_by     TEXT NOT NULL,
  added_at     BIGINT NOT NULL,
  PRIMARY KEY (workroom_id, user_id)
);
CREATE INDEX workroom_members_user ON workroom_members (tenant_id, user_id);

-- Existing workrooms keep working for the people who used them: every user who ever had a session
-- in a workroom (started by themselves, an admin or the platform) becomes a member of it. Nobody
-- gains access they did not already exercise; everybody else must be added by an admin.
INSERT INTO workroom_members (workroom_id, tenant_id, user_id, added_by, added_at)
SELECT s.workroom_id, s.tenant_id, s.user_id, 'migration:V8', MIN(s.started_at)
FROM sessions s
JOIN workrooms w ON w.id = s.workroom_id AND w.tenant_id = s.tenant_id
JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id
GROUP BY s.workroom_id, s.tenant_id, s.user_id;
