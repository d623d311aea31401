-- 集体经济 (issue 21): the collective's resources (资源) — land, forest, water and barren land —
-- with their area in hundredths of a mu, where they lie, their rights registration (确权登记),
-- who uses them and how (contracted to households, leased out, run by the collective, or idle).
-- Idle ones are listed for the county. The state moves from the version the clerk saw.
CREATE TABLE collective_resources (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    area          BIGINT NOT NULL,
    location      TEXT NOT NULL,
    certificate   TEXT NOT NULL,
    registered_on DATE,
    used_by       TEXT NOT NULL,
    state         TEXT NOT NULL,
    version       BIGINT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX collective_resources_division ON collective_resources (county_id, division_code, state);
