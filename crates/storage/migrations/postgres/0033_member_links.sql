-- 党员本人查看与自报, 流动党员 (issue 19): a member's own link to their points on a phone (only the
-- code's hash is kept; a new link replaces the old), recordings a member reports themselves
-- (waiting for the branch's review like any other), and the months a member is away from the
-- village (流动党员), which the evaluation shows and the talk list spares.
CREATE TABLE member_links (
    county_id     BIGINT NOT NULL,
    member_id     BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    code_hash     TEXT NOT NULL,
    issued_by     BIGINT NOT NULL,
    issued_at     BIGINT NOT NULL,
    PRIMARY KEY (county_id, member_id),
    UNIQUE (county_id, code_hash)
);
ALTER TABLE points_claims ADD COLUMN self_report BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE member_away (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    member_id     BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    from_month    TEXT NOT NULL,
    to_month      TEXT,
    place         TEXT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    recorded_at   BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX member_away_member ON member_away (county_id, member_id);
ALTER TABLE member_month_results ADD COLUMN away BOOLEAN NOT NULL DEFAULT FALSE;
