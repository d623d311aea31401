-- 村务公开 (issue 20): what a village posts, with its kind, its posting window and a SHA-256
-- fingerprint of its content as posted (any later change in the database no longer matches).
CREATE TABLE publicity_items (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    matter_id     BIGINT,
    posted_on     DATE NOT NULL,
    until_on      DATE NOT NULL,
    fingerprint   TEXT NOT NULL,
    posted_by     BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX publicity_items_division ON publicity_items (county_id, division_code, kind, posted_on);
