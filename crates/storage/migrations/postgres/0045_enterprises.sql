-- 集体经济 (issue 21): the companies and cooperatives a village's branch founds ("branch +
-- company + farmers", "branch + cooperative + farmers"), the households that are their members
-- with their shares, and each year's figures (revenue, profit, what went to the collective and
-- to the member households), in fen.
CREATE TABLE enterprises (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    business      TEXT NOT NULL,
    credit_code   TEXT NOT NULL,
    founded_on    DATE NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX enterprises_division ON enterprises (county_id, division_code);
CREATE TABLE enterprise_members (
    county_id     BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    household_id  BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    shares        BIGINT NOT NULL,
    joined_on     DATE NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, enterprise_id, household_id)
);
CREATE TABLE enterprise_years (
    county_id     BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    year          BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    revenue       BIGINT NOT NULL,
    profit        BIGINT NOT NULL,
    to_collective BIGINT NOT NULL,
    to_members    BIGINT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, enterprise_id, year)
);
