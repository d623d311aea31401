-- 集体经济 (issue 21): the county's target for its share of strong villages (operating income of
-- 500,000 yuan or more) in a year, per ten thousand villages (2700 is 27%), set by the county.
-- The row names the county's own division so that only the county's scope may write it.
CREATE TABLE strong_targets (
    county_id     BIGINT NOT NULL,
    year          BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    share         BIGINT NOT NULL,
    set_by        BIGINT NOT NULL,
    set_at        BIGINT NOT NULL,
    PRIMARY KEY (county_id, year)
);

-- The code a village hands each household to read its own shares and payments on the public
-- board, kept only as its SHA-256; issuing a new one replaces the old.
CREATE TABLE household_codes (
    county_id     BIGINT NOT NULL,
    household_id  BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    code_hash     TEXT NOT NULL,
    issued_by     BIGINT NOT NULL,
    issued_at     BIGINT NOT NULL,
    PRIMARY KEY (county_id, household_id)
);
CREATE UNIQUE INDEX household_codes_hash ON household_codes (county_id, code_hash);
