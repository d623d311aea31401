-- 集体经济 (issue 21): the collective's funds journal — each income or expense with its voucher,
-- in fen, appended and never changed; a mistake is corrected by a reversing entry that names the
-- entry it reverses (once only). Statements by month and year and the strong-village test read
-- this journal.
CREATE TABLE fund_entries (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    entry_on      DATE NOT NULL,
    direction     TEXT NOT NULL,
    category      TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    summary       TEXT NOT NULL,
    voucher       TEXT NOT NULL,
    reverses      BIGINT,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX fund_entries_division ON fund_entries (county_id, division_code, entry_on);
CREATE UNIQUE INDEX fund_entries_voucher ON fund_entries (county_id, division_code, voucher);
CREATE UNIQUE INDEX fund_entries_reverses ON fund_entries (county_id, reverses);
