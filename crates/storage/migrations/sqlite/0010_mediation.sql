-- Dispute mediation (调解): the record of a dispute case, its sessions, the agreement and the
-- follow-up visits that check it holds.
CREATE TABLE mediations (
    county_id     BIGINT NOT NULL,
    case_id       BIGINT NOT NULL,
    mediator      TEXT NOT NULL,
    -- JSON list of {"name", "side"}.
    parties       TEXT NOT NULL,
    method        TEXT NOT NULL,
    agreement     TEXT,
    agreed_at     BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, case_id),
    FOREIGN KEY (county_id, case_id) REFERENCES cases (county_id, id)
);

CREATE TABLE mediation_sessions (
    county_id     BIGINT NOT NULL,
    case_id       BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    held_at       BIGINT NOT NULL,
    place         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    user_id       BIGINT,
    PRIMARY KEY (county_id, case_id, seq),
    FOREIGN KEY (county_id, case_id) REFERENCES mediations (county_id, case_id)
);

CREATE TABLE mediation_visits (
    county_id     BIGINT NOT NULL,
    case_id       BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    visited_at    BIGINT NOT NULL,
    note          TEXT NOT NULL,
    -- Whether the agreement still holds.
    holding       INTEGER NOT NULL,
    user_id       BIGINT,
    PRIMARY KEY (county_id, case_id, seq),
    FOREIGN KEY (county_id, case_id) REFERENCES mediations (county_id, case_id)
);
