-- 集体经济 (issue 21): produce sold for villagers — each sale's product, weight in whole
-- kilograms, amount in fen, buyer and channel; a year's totals by product, buyer and channel.
CREATE TABLE produce_sales (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    sold_on       DATE NOT NULL,
    product       TEXT NOT NULL,
    kilograms     BIGINT NOT NULL,
    amount        BIGINT NOT NULL,
    buyer         TEXT NOT NULL,
    channel       TEXT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id)
);
CREATE INDEX produce_sales_division ON produce_sales (county_id, division_code, sold_on);
