-- Git credentials are bound to the hosts git may send them to (space-separated host[:port]
-- entries; NULL for kinds git never receives). Existing git credentials get their kind's default
-- host from the catalog of this release; owners can change it on Profile -> Integrations.
ALTER TABLE credentials ADD COLUMN hosts TEXT;
UPDATE credentials SET hosts = 'github.com' WHERE kind IN ('git-token', 'github-oauth');
UPDATE credentials SET hosts = 'gitlab.com' WHERE kind = 'gitlab-oauth';

-- Fingerprints were keyed per tenant only, so the same value had the same fingerprint in Config ->
-- Secrets and in a member's integrations (an admin could confirm a guess of a member's secret).
-- They are now keyed per tenant, home and owner. The old ones are cleared here ('' = to compute)
-- and Keyroom computes the new ones from the decrypted values when it starts.
UPDATE credential_versions SET fingerprint = '';
