-- A resident who reports on the public page leaves a phone for the follow-up visit (sealed at rest
-- like every phone) and gets a tracking code to follow, confirm or reopen the case; only its
-- SHA-256 is kept.
ALTER TABLE cases ADD COLUMN reporter_phone TEXT;
ALTER TABLE cases ADD COLUMN tracking_hash TEXT;
