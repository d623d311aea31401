-- 议事 (issue 20): meetings as the law defines them. A meeting keeps its roll as the sign-in
-- sheet gives it (who should attend, who came in person, online, by proxy, households
-- represented) and whether it reached its legal quorum, with the reason when not; each item
-- keeps its votes and whether it passed its legal threshold, computed by the rules, never typed.
CREATE TABLE meetings (
    county_id          BIGINT NOT NULL,
    id                 BIGINT NOT NULL,
    division_code      TEXT NOT NULL,
    kind               TEXT NOT NULL,
    title              TEXT NOT NULL,
    place              TEXT NOT NULL,
    notified_on        DATE,
    held_on            DATE NOT NULL,
    entitled           BIGINT NOT NULL,
    households         BIGINT NOT NULL,
    present            BIGINT NOT NULL,
    online             BIGINT NOT NULL,
    proxies            BIGINT NOT NULL,
    households_present BIGINT NOT NULL,
    quorum_met         INTEGER NOT NULL,
    quorum_reason      TEXT NOT NULL,
    minutes            TEXT NOT NULL,
    recorded_by        BIGINT NOT NULL,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX meetings_division ON meetings (county_id, division_code, held_on);
CREATE TABLE meeting_items (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    meeting_id    BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    title         TEXT NOT NULL,
    matter_kind   TEXT NOT NULL,
    authorised    INTEGER NOT NULL,
    yes           BIGINT NOT NULL,
    no            BIGINT NOT NULL,
    abstain       BIGINT NOT NULL,
    passed        INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    article       TEXT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, meeting_id) REFERENCES meetings (county_id, id)
);
CREATE INDEX meeting_items_meeting ON meeting_items (county_id, meeting_id);
