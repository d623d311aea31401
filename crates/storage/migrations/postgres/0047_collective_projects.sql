-- 集体经济 (issue 21): the project library — each project from idea to operating with its lead
-- (a village or a township), the villages and the alliance in it, its stage history, the funding
-- sought and won by source (an append-only ledger in fen; the project keeps the running sums)
-- and its milestones.
CREATE TABLE collective_projects (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    summary       TEXT NOT NULL,
    budget        BIGINT NOT NULL,
    alliance_id   BIGINT,
    stage         TEXT NOT NULL,
    stage_on      DATE NOT NULL,
    sought        BIGINT NOT NULL,
    won           BIGINT NOT NULL,
    version       BIGINT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX collective_projects_division ON collective_projects (county_id, division_code);
CREATE TABLE project_villages (
    county_id     BIGINT NOT NULL,
    project_id    BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    PRIMARY KEY (county_id, project_id, division_code),
    FOREIGN KEY (county_id, project_id) REFERENCES collective_projects (county_id, id)
);
CREATE TABLE project_stages (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    project_id    BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    stage         TEXT NOT NULL,
    stage_on      DATE NOT NULL,
    note          TEXT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, project_id) REFERENCES collective_projects (county_id, id)
);
CREATE INDEX project_stages_project ON project_stages (county_id, project_id);
CREATE TABLE project_funding (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    project_id    BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    source        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    entry_on      DATE NOT NULL,
    note          TEXT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, project_id) REFERENCES collective_projects (county_id, id)
);
CREATE INDEX project_funding_project ON project_funding (county_id, project_id);
CREATE TABLE project_milestones (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    project_id    BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    title         TEXT NOT NULL,
    due_on        DATE NOT NULL,
    done_on       DATE,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, project_id) REFERENCES collective_projects (county_id, id)
);
CREATE INDEX project_milestones_project ON project_milestones (county_id, project_id);
