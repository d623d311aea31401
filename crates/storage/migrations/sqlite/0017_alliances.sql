-- Cross-village alliances (跨村联建): the planner's village profiles, the plans it produced (run as
-- background jobs), and the villages each joint party organisation (联合党委) of an accepted plan
-- joins.
CREATE TABLE village_profiles (
    county_id     BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    population    BIGINT NOT NULL,
    longitude     REAL,
    latitude      REAL,
    -- Main industries, '|'-separated.
    industries    TEXT NOT NULL,
    income_fen    BIGINT,
    standing      TEXT,
    target        INTEGER NOT NULL,
    may_lead      INTEGER NOT NULL,
    excluded      INTEGER NOT NULL,
    -- Bordering villages' codes, space-separated; empty when borders come from the positions.
    neighbours    TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, division_code),
    FOREIGN KEY (county_id, division_code) REFERENCES divisions (county_id, code)
);

CREATE TABLE alliance_plans (
    county_id      BIGINT NOT NULL,
    id             BIGINT NOT NULL,
    -- The division planned (a county or a township).
    division_code  TEXT NOT NULL,
    -- queued, running, done, failed, accepted.
    status         TEXT NOT NULL,
    -- The rules and the officials' adjustments, as JSON.
    params         TEXT NOT NULL,
    seed           BIGINT NOT NULL,
    villages_done  BIGINT NOT NULL,
    villages_total BIGINT NOT NULL,
    -- The plan, as JSON, once done.
    result         TEXT,
    error          TEXT,
    created_by     BIGINT,
    created_at     BIGINT NOT NULL,
    finished_at    BIGINT,
    accepted_by    BIGINT,
    accepted_at    BIGINT,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, division_code) REFERENCES divisions (county_id, code)
);
CREATE INDEX alliance_plans_division ON alliance_plans (county_id, division_code, id);

CREATE TABLE alliance_villages (
    county_id     BIGINT NOT NULL,
    org_id        BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    lead          INTEGER NOT NULL,
    plan_id       BIGINT,
    PRIMARY KEY (county_id, org_id, division_code),
    UNIQUE (county_id, division_code),
    FOREIGN KEY (county_id, org_id) REFERENCES party_orgs (county_id, id),
    FOREIGN KEY (county_id, division_code) REFERENCES divisions (county_id, code)
);
