-- 四议两公开 (issue 20): a village's matter and the steps it has taken, in order, each with its
-- evidence; the decision step names the meeting item that decided it (passed or not, as the law's
-- rules computed). A matter's version orders racing steps: a step is taken only against the
-- version it was checked on.
CREATE TABLE matters (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    one_shoulder  BOOLEAN NOT NULL,
    state         TEXT NOT NULL,
    created_by    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX matters_division ON matters (county_id, division_code, state);
CREATE TABLE matter_steps (
    county_id       BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    matter_id       BIGINT NOT NULL,
    division_code   TEXT NOT NULL,
    step            TEXT NOT NULL,
    joint           BOOLEAN NOT NULL,
    meeting_item_id BIGINT,
    passed          BOOLEAN NOT NULL,
    evidence        TEXT NOT NULL,
    taken_on        DATE NOT NULL,
    taken_by        BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, matter_id) REFERENCES matters (county_id, id)
);
CREATE INDEX matter_steps_matter ON matter_steps (county_id, matter_id, id);
