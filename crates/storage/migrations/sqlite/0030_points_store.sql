-- 积分超市 (issue 19): a village's points store. Goods with a price in points and a stock kept
-- with its movements (donations in, redemptions out, stock-takes), each redemption tied to the
-- ledger entry that paid for it.
CREATE TABLE store_goods (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    unit          TEXT NOT NULL,
    price         BIGINT NOT NULL,
    stock         BIGINT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, division_code, name)
);
CREATE TABLE store_moves (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    goods_id      BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    kind          TEXT NOT NULL,
    quantity      BIGINT NOT NULL,
    points        BIGINT NOT NULL,
    entry_id      BIGINT,
    donor         TEXT,
    note          TEXT NOT NULL,
    recorded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, goods_id) REFERENCES store_goods (county_id, id)
);
CREATE INDEX store_moves_goods ON store_moves (county_id, goods_id, id);
CREATE INDEX store_goods_division ON store_goods (county_id, division_code);
