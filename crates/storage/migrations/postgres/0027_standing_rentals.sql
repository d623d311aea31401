-- 人口变动 (issue 18): a resident who moves out of the county or dies stays on record, with
-- standing 'moved_out' or 'deceased' instead of 'present'; each change is kept as an event.
ALTER TABLE residents ADD COLUMN standing TEXT NOT NULL DEFAULT 'present';
CREATE INDEX residents_standing ON residents (county_id, standing, division_code);
CREATE TABLE resident_events (
    county_id    BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    resident_id  BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    happened_on  DATE NOT NULL,
    place        TEXT,
    note         TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, resident_id) REFERENCES residents (county_id, id),
    FOREIGN KEY (county_id, household_id) REFERENCES households (county_id, id)
);
CREATE INDEX resident_events_resident ON resident_events (county_id, resident_id);

-- 出租房屋与流动人口 (issue 18): rented houses in a micro-grid, their owners, and the tenants
-- who live there (ID numbers and phones sealed, found by their keyed index).
CREATE TABLE rentals (
    county_id        BIGINT NOT NULL,
    id               BIGINT NOT NULL,
    division_code    TEXT NOT NULL,
    grid_id          BIGINT NOT NULL,
    address          TEXT NOT NULL,
    owner_name       TEXT NOT NULL,
    owner_phone      TEXT,
    owner_phone_hash TEXT,
    purpose          TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, grid_id, address),
    FOREIGN KEY (county_id, grid_id) REFERENCES grids (county_id, id)
);
CREATE INDEX rentals_division ON rentals (county_id, division_code);
CREATE TABLE tenants (
    county_id      BIGINT NOT NULL,
    id             BIGINT NOT NULL,
    rental_id      BIGINT NOT NULL,
    grid_id        BIGINT NOT NULL,
    division_code  TEXT NOT NULL,
    name           TEXT NOT NULL,
    id_number      TEXT NOT NULL,
    id_number_hash TEXT NOT NULL,
    gender         TEXT NOT NULL,
    birth_date     DATE NOT NULL,
    phone          TEXT,
    phone_hash     TEXT,
    origin         TEXT,
    workplace      TEXT,
    moved_in       DATE NOT NULL,
    moved_out      DATE,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, rental_id, id_number_hash, moved_in),
    FOREIGN KEY (county_id, rental_id) REFERENCES rentals (county_id, id)
);
CREATE INDEX tenants_rental ON tenants (county_id, rental_id);
CREATE INDEX tenants_division ON tenants (county_id, division_code);
CREATE INDEX tenants_person ON tenants (county_id, id_number_hash);
