-- 村两委 (issue 18): the members of a village's party organisation, villagers' committee and
-- village affairs supervision committee, as a township keeps their roster. Phones sealed.
CREATE TABLE village_cadres (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    body          TEXT NOT NULL,
    post          TEXT NOT NULL,
    phone         TEXT,
    phone_hash    TEXT,
    since         DATE NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, division_code) REFERENCES divisions (county_id, code)
);
CREATE INDEX village_cadres_division ON village_cadres (county_id, division_code);
