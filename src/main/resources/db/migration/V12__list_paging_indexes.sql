-- Indexes for keyset paging of the lists people read (audit log, a session's delivery ledger,
-- Config → Secrets): each page starts next to a row's key, so the key columns lead the index.
-- Portable between SQLite and PostgreSQL.

-- Audit filtered by workroom or actor, newest first (the primary key serves the unfiltered log).
CREATE INDEX audit_events_workroom_seq ON audit_events (tenant_id, workroom_id, seq);
CREATE INDEX audit_events_actor_seq ON audit_events (tenant_id, actor, seq);

-- A session's deliveries, oldest first; deliveries of one retrieval share a time, the id breaks the tie.
CREATE INDEX session_deliveries_session_page ON session_deliveries (tenant_id, session_id, fetched_at, id);

-- A scope's credentials by kind, then name.
CREATE INDEX credentials_scope_kind_name ON credentials (tenant_id, home, owner_key, kind, name);
