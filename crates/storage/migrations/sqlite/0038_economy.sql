-- 集体经济 (issue 21): the collective economic organisation's members with their history, the
-- households' shares, and income distributions with their lines and payments. Money is integer
-- fen; shares are hundredths of a share (or of a mu). A distribution's lines are computed by the
-- rules when it is drafted and never typed; it pays nothing until it is carried by a matter
-- decided by a passed resolution; payments are appended, never changed.
CREATE TABLE collective_members (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    resident_id   BIGINT NOT NULL,
    household_id  BIGINT NOT NULL,
    name          TEXT NOT NULL,
    joined_on     DATE NOT NULL,
    joined_how    TEXT NOT NULL,
    left_on       DATE,
    left_how      TEXT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX collective_members_division ON collective_members (county_id, division_code);
CREATE INDEX collective_members_household ON collective_members (county_id, household_id);
CREATE TABLE share_holdings (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    household_id  BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    shares        BIGINT NOT NULL,
    since         DATE NOT NULL,
    certificate   TEXT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX share_holdings_division ON share_holdings (county_id, division_code);
CREATE TABLE distributions (
    county_id       BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    division_code   TEXT NOT NULL,
    year            BIGINT NOT NULL,
    title           TEXT NOT NULL,
    distributable   BIGINT NOT NULL,
    reserve         BIGINT NOT NULL,
    reserve_amount  BIGINT NOT NULL,
    kept_amount     BIGINT NOT NULL,
    classes         TEXT NOT NULL,
    state           TEXT NOT NULL,
    matter_id       BIGINT,
    decided_on      DATE,
    version         BIGINT NOT NULL,
    recorded_by     BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX distributions_division ON distributions (county_id, division_code, year);
CREATE TABLE distribution_lines (
    county_id       BIGINT NOT NULL,
    distribution_id BIGINT NOT NULL,
    class           TEXT NOT NULL,
    household_id    BIGINT NOT NULL,
    division_code   TEXT NOT NULL,
    shares          BIGINT NOT NULL,
    amount          BIGINT NOT NULL,
    PRIMARY KEY (county_id, distribution_id, class, household_id),
    FOREIGN KEY (county_id, distribution_id) REFERENCES distributions (county_id, id)
);
CREATE INDEX distribution_lines_household ON distribution_lines (county_id, household_id);
CREATE TABLE distribution_payments (
    county_id       BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    distribution_id BIGINT NOT NULL,
    household_id    BIGINT NOT NULL,
    division_code   TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    paid_on         DATE NOT NULL,
    voucher         TEXT NOT NULL,
    recorded_by     BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, distribution_id) REFERENCES distributions (county_id, id)
);
CREATE INDEX distribution_payments_household ON distribution_payments (county_id, household_id);
