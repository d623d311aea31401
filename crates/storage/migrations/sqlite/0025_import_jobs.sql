-- Imports from the console, the API and the command line (issue 18): each is a job, checked in
-- full before anything is written, then written in short transactions so the service keeps
-- answering; every chunk records how to undo itself in the same transaction, so a job that fails
-- or is cut off part-way (found at the next start) is undone: all or nothing as a whole.
CREATE TABLE import_jobs (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    layout        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    digest        TEXT NOT NULL,
    account_id    BIGINT,
    login         TEXT NOT NULL,
    division_code TEXT NOT NULL,
    status        TEXT NOT NULL,
    rows_total    BIGINT NOT NULL DEFAULT 0,
    progress      BIGINT NOT NULL DEFAULT 0,
    summary       TEXT,
    errors        TEXT,
    file          BLOB,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
-- One job at a time writes into a county.
CREATE UNIQUE INDEX import_jobs_one_writing ON import_jobs (county_id) WHERE status IN ('queued', 'writing');
CREATE INDEX import_jobs_recent ON import_jobs (county_id, created_at);

-- How to undo one chunk of a job: rows inserted (ids id_from..id_to of tbl, deleted), or one row
-- updated (its columns' earlier values in before, a JSON array of [column, value] pairs).
CREATE TABLE import_undo (
    county_id BIGINT NOT NULL,
    job_id    BIGINT NOT NULL,
    seq       BIGINT NOT NULL,
    tbl       TEXT NOT NULL,
    id_from   BIGINT NOT NULL,
    id_to     BIGINT NOT NULL,
    before    TEXT,
    PRIMARY KEY (county_id, job_id, seq)
);

-- The household register's own word for a relation (妻, 长子, 儿媳…) when it is not the
-- vocabulary's: kept so an export gives back what the clerk wrote.
ALTER TABLE residents ADD COLUMN relation_word TEXT;

-- Exports read residents page by page in (county, household, resident) order: the household
-- index carries the resident id so each page is an index range, not a sort.
DROP INDEX residents_household;
CREATE INDEX residents_household ON residents (county_id, household_id, id);
