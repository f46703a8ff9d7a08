-- Credential names are unique per kind, not across kinds: a Gemini key and a database password
-- may both be called "prod". The unique key becomes (tenant_id, home, owner_key, kind, name).
-- (SQLite rebuilds the table instead: db/sqlite/V10__credential_names_unique_per_kind.sql.)
-- The old constraint has the name PostgreSQL gave the inline UNIQUE of V1.
ALTER TABLE credentials DROP CONSTRAINT credentials_tenant_id_home_owner_key_name_key;
ALTER TABLE credentials ADD CONSTRAINT credentials_name_unique_per_kind UNIQUE (tenant_id, home, owner_key, kind, name);
