-- Photos and documents of a case (issue 4): kept in the database with the case, so a backup
-- holds everything and jurisdiction applies to them as to the case. Identical content is kept
-- once per case (sha256), which also makes a resent upload harmless.
CREATE TABLE case_files (
    county_id     BIGINT NOT NULL,
    case_id       BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    data          BYTEA NOT NULL,
    uploaded_by   BIGINT,
    uploaded_at   BIGINT NOT NULL,
    PRIMARY KEY (county_id, case_id, seq),
    UNIQUE (county_id, case_id, sha256),
    FOREIGN KEY (county_id, case_id) REFERENCES cases (county_id, id)
);
