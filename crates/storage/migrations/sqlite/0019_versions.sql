-- Optimistic concurrency for registry records (issue 16): each change raises the version, and a
-- change must name the version it was made from, so a stale write answers 409 instead of silently
-- overwriting someone else's.
ALTER TABLE divisions ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE grids ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE grid_staff ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE households ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE residents ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE party_orgs ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE party_members ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE contact_duties ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
