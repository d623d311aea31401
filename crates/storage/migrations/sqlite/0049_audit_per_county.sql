-- The audit log per county. A write appends its entry unchained (no sequence number, no hashes)
-- with the next id (writers take turns on SQLite); one linker, moments later, gives each county's
-- new entries their place in that county's keyed chain (seq, prev_hash, hash) under the county's
-- head row. The entries logged before this change stay as they were, as the chain of county 0
-- (the system's own: sign-ins, accounts, anything by no county's officer).
CREATE TABLE audit_log_by_county (
    county_id BIGINT NOT NULL,
    id        BIGINT NOT NULL PRIMARY KEY,
    seq       BIGINT,
    at        BIGINT NOT NULL,
    user_id   BIGINT,
    login     TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    source    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL DEFAULT '',
    hash      TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_log_by_county (county_id, id, seq, at, user_id, login, action, object, outcome, source, detail, prev_hash, hash)
    SELECT 0, seq, seq, at, user_id, login, action, object, outcome, source, detail, prev_hash, hash FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_by_county RENAME TO audit_log;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (county_id, seq);
CREATE INDEX audit_log_unlinked ON audit_log (county_id, id) WHERE seq IS NULL;
CREATE INDEX audit_log_at ON audit_log (at);

-- Each county's chain: its newest linked entry (the linker locks this row) and, after pruning,
-- the last entry removed.
CREATE TABLE audit_heads (
    county_id BIGINT PRIMARY KEY,
    seq       BIGINT NOT NULL,
    hash      TEXT NOT NULL
);
INSERT INTO audit_heads (county_id, seq, hash) SELECT 0, seq, hash FROM audit_head WHERE id = 1;
DROP TABLE audit_head;

CREATE TABLE audit_anchors (
    county_id BIGINT PRIMARY KEY,
    seq       BIGINT NOT NULL,
    hash      TEXT NOT NULL
);
INSERT INTO audit_anchors (county_id, seq, hash) SELECT 0, seq, hash FROM audit_anchor WHERE id = 1;
DROP TABLE audit_anchor;

CREATE TABLE audit_checkpoints_by_county (
    county_id BIGINT NOT NULL,
    seq       BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    hash      TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (county_id, seq)
);
INSERT INTO audit_checkpoints_by_county (county_id, seq, at, hash, signature)
    SELECT 0, seq, at, hash, signature FROM audit_checkpoints;
DROP TABLE audit_checkpoints;
ALTER TABLE audit_checkpoints_by_county RENAME TO audit_checkpoints;
