-- 集体经济 (issue 21): leases of collective resources and the rent received. A lease keeps its
-- area (hundredths of a mu), its price (fen per mu per year), its term and how many times a year
-- rent is due; the schedule and what is overdue are computed by the rules, never stored. Rent
-- received is appended, never changed, and never more than the whole term's rent.
CREATE TABLE leases (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    resource      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    area          BIGINT NOT NULL,
    price         BIGINT NOT NULL,
    lessee        TEXT NOT NULL,
    start_on      DATE NOT NULL,
    years         BIGINT NOT NULL,
    per_year      BIGINT NOT NULL,
    received      BIGINT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX leases_division ON leases (county_id, division_code);
CREATE TABLE lease_receipts (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    lease_id      BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    received_on   DATE NOT NULL,
    voucher       TEXT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, lease_id) REFERENCES leases (county_id, id)
);
CREATE INDEX lease_receipts_lease ON lease_receipts (county_id, lease_id);
