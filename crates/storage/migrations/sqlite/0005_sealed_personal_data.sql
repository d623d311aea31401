-- Personal data encrypted at rest (SM4-GCM, see crypto.rs). The old plain ID-number column becomes
-- the keyed index (HMAC-SM3), keeping its per-county uniqueness; `id_number` now holds the sealed
-- value. Rows written before this migration are sealed by `Db::connect`, which has the key.
ALTER TABLE residents RENAME COLUMN id_number TO id_number_hash;
ALTER TABLE residents ADD COLUMN id_number TEXT NOT NULL DEFAULT '';

-- Settings of this database that are not county-owned: the data key's fingerprint.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
