-- 议事 (issue 20): a meeting called ahead keeps its roll by name, taken from the registry when it
-- is called (the village's villagers aged 18 and over, the branch's party members) or chosen
-- (the representatives, the collective's members), so later moves do not change who should have
-- come. Each person on the roll signs in in person, online or by a written proxy from a member of
-- their household; closing the sign-in counts the roll and judges the quorum by the rules. A
-- meeting recorded from a paper sheet is closed when it is recorded.
ALTER TABLE meetings ADD COLUMN state TEXT NOT NULL DEFAULT 'held';
CREATE TABLE meeting_roll (
    county_id     BIGINT NOT NULL,
    meeting_id    BIGINT NOT NULL,
    resident_id   BIGINT NOT NULL,
    household_id  BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    household     TEXT NOT NULL,
    votes         INTEGER NOT NULL,
    attended      TEXT NOT NULL,
    proxy_by      BIGINT,
    proxy_name    TEXT NOT NULL,
    signed_at     BIGINT,
    signed_by     BIGINT,
    PRIMARY KEY (county_id, meeting_id, resident_id),
    FOREIGN KEY (county_id, meeting_id) REFERENCES meetings (county_id, id)
);
