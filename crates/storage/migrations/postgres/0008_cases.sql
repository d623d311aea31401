-- Demands, hazards and disputes in a closed loop (issue 4). The state machine is in the domain
-- (case.rs); a case row keeps its status and the clock (due_at) that drives escalation, so a restart
-- loses no deadline; case_events is the timeline, append-only.
CREATE TABLE case_categories (
    county_id     BIGINT NOT NULL,
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    -- The level that should settle it: micro_grid, grid, village, township, county.
    level         TEXT NOT NULL,
    is_dispute    BOOLEAN NOT NULL,
    PRIMARY KEY (county_id, code)
);

CREATE TABLE cases (
    county_id        BIGINT NOT NULL,
    id               BIGINT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    category         TEXT NOT NULL,
    description      TEXT NOT NULL,
    division_code    TEXT NOT NULL,
    household_id     BIGINT,
    urgency          TEXT NOT NULL,
    reporter_kind    TEXT NOT NULL,
    reporter_name    TEXT,
    anonymous        BOOLEAN NOT NULL,
    reported_by      BIGINT,
    state            TEXT NOT NULL,
    level            TEXT NOT NULL,
    handler_id       BIGINT,
    extension        TEXT NOT NULL,
    supervised       BOOLEAN NOT NULL,
    reopened         BIGINT NOT NULL,
    due_at           BIGINT,
    resolved_at      BIGINT,
    merged_into      BIGINT,
    rating           BIGINT,
    version          BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, idempotency_key),
    FOREIGN KEY (county_id, category) REFERENCES case_categories (county_id, code),
    FOREIGN KEY (county_id, division_code) REFERENCES divisions (county_id, code),
    FOREIGN KEY (county_id, household_id) REFERENCES households (county_id, id)
);
CREATE INDEX cases_scope ON cases (county_id, division_code, id);
CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE case_events (
    county_id     BIGINT NOT NULL,
    case_id       BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    user_id       BIGINT,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    from_state    TEXT,
    to_state      TEXT NOT NULL,
    level         TEXT NOT NULL,
    note          TEXT NOT NULL,
    PRIMARY KEY (county_id, case_id, seq),
    FOREIGN KEY (county_id, case_id) REFERENCES cases (county_id, id)
);
