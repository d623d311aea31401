-- 集体经济 (issue 21): the collective's asset register — what it owns, where, what it cost, its
-- expected salvage and useful life (depreciation is computed by the rules, never stored), and
-- its state (in use, idle, leased, disposed), moved by compare-and-set so the idle list the
-- county reads (闲变宝) is never stale.
CREATE TABLE collective_assets (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    category      TEXT NOT NULL,
    location      TEXT NOT NULL,
    cost          BIGINT NOT NULL,
    salvage       BIGINT NOT NULL,
    months        BIGINT NOT NULL,
    acquired_on   DATE NOT NULL,
    state         TEXT NOT NULL,
    version       BIGINT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX collective_assets_division ON collective_assets (county_id, division_code);
CREATE INDEX collective_assets_state ON collective_assets (county_id, state);
