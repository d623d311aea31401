-- The registry (DOMAIN.md §1-2). Every county-owned table has county_id first in its primary key and in
-- every foreign key, so a Citus cluster can distribute all of them by county_id and co-locate joins.
-- Codes and tree paths use the "C" collation so prefix ranges compare byte by byte.

CREATE TABLE regions (
    code        TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_code TEXT COLLATE "C" REFERENCES regions (code)
);

CREATE TABLE id_counters (
    county_id BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    next_id   BIGINT NOT NULL,
    PRIMARY KEY (county_id, kind)
);

CREATE TABLE divisions (
    county_id   BIGINT NOT NULL,
    code        TEXT COLLATE "C" NOT NULL,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_code TEXT COLLATE "C",
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (county_id, code),
    FOREIGN KEY (county_id, parent_code) REFERENCES divisions (county_id, code)
);
CREATE INDEX divisions_parent ON divisions (county_id, parent_code);
CREATE INDEX divisions_name ON divisions (name);

CREATE TABLE grids (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    code          TEXT COLLATE "C" NOT NULL,
    level         TEXT NOT NULL,
    name          TEXT NOT NULL,
    division_code TEXT COLLATE "C" NOT NULL,
    parent_id     BIGINT,
    path          TEXT COLLATE "C" NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, code),
    FOREIGN KEY (county_id, division_code) REFERENCES divisions (county_id, code),
    FOREIGN KEY (county_id, parent_id) REFERENCES grids (county_id, id)
);
CREATE INDEX grids_division ON grids (county_id, division_code);
CREATE INDEX grids_parent ON grids (county_id, parent_id);
CREATE INDEX grids_path ON grids (county_id, path);

CREATE TABLE grid_staff (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    grid_id       BIGINT NOT NULL,
    division_code TEXT COLLATE "C" NOT NULL,
    phone         TEXT,
    unit          TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, grid_id) REFERENCES grids (county_id, id)
);
CREATE INDEX grid_staff_grid ON grid_staff (county_id, grid_id);
CREATE INDEX grid_staff_division ON grid_staff (county_id, division_code);

CREATE TABLE households (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    number        TEXT NOT NULL,
    division_code TEXT COLLATE "C" NOT NULL,
    micro_grid_id BIGINT NOT NULL,
    address       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, number),
    FOREIGN KEY (county_id, division_code) REFERENCES divisions (county_id, code),
    FOREIGN KEY (county_id, micro_grid_id) REFERENCES grids (county_id, id)
);
CREATE INDEX households_division ON households (county_id, division_code);
CREATE INDEX households_grid ON households (county_id, micro_grid_id);

CREATE TABLE residents (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    household_id  BIGINT NOT NULL,
    division_code TEXT COLLATE "C" NOT NULL,
    name          TEXT NOT NULL,
    id_number     TEXT NOT NULL,
    gender        TEXT NOT NULL,
    birth_date    DATE NOT NULL,
    phone         TEXT,
    relation      TEXT NOT NULL,
    tags          BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, id_number),
    FOREIGN KEY (county_id, household_id) REFERENCES households (county_id, id)
);
CREATE INDEX residents_household ON residents (county_id, household_id);
CREATE INDEX residents_division ON residents (county_id, division_code);
CREATE INDEX residents_name ON residents (county_id, name);

CREATE TABLE resident_moves (
    county_id         BIGINT NOT NULL,
    id                BIGINT NOT NULL,
    resident_id       BIGINT NOT NULL,
    from_household_id BIGINT,
    to_household_id   BIGINT NOT NULL,
    moved_at          BIGINT NOT NULL,
    reason            TEXT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, resident_id) REFERENCES residents (county_id, id),
    FOREIGN KEY (county_id, from_household_id) REFERENCES households (county_id, id),
    FOREIGN KEY (county_id, to_household_id) REFERENCES households (county_id, id)
);
CREATE INDEX resident_moves_resident ON resident_moves (county_id, resident_id);

CREATE TABLE party_orgs (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    code          TEXT COLLATE "C" NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    parent_id     BIGINT,
    division_code TEXT COLLATE "C" NOT NULL,
    standing      TEXT NOT NULL,
    path          TEXT COLLATE "C" NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, code),
    FOREIGN KEY (county_id, division_code) REFERENCES divisions (county_id, code),
    FOREIGN KEY (county_id, parent_id) REFERENCES party_orgs (county_id, id)
);
CREATE INDEX party_orgs_parent ON party_orgs (county_id, parent_id);
CREATE INDEX party_orgs_division ON party_orgs (county_id, division_code);

CREATE TABLE party_members (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    resident_id   BIGINT NOT NULL,
    org_id        BIGINT NOT NULL,
    division_code TEXT COLLATE "C" NOT NULL,
    status        TEXT NOT NULL,
    role          TEXT NOT NULL,
    joined_on     DATE NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, resident_id),
    FOREIGN KEY (county_id, resident_id) REFERENCES residents (county_id, id),
    FOREIGN KEY (county_id, org_id) REFERENCES party_orgs (county_id, id)
);
CREATE INDEX party_members_org ON party_members (county_id, org_id);
CREATE INDEX party_members_division ON party_members (county_id, division_code);

CREATE TABLE member_contacts (
    county_id    BIGINT NOT NULL,
    member_id    BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (county_id, member_id, household_id),
    FOREIGN KEY (county_id, member_id) REFERENCES party_members (county_id, id),
    FOREIGN KEY (county_id, household_id) REFERENCES households (county_id, id)
);
CREATE INDEX member_contacts_household ON member_contacts (county_id, household_id);

CREATE TABLE contact_duties (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    person_name   TEXT NOT NULL,
    rank          TEXT NOT NULL,
    unit          TEXT,
    target        TEXT NOT NULL,
    division_code TEXT COLLATE "C" NOT NULL,
    household_id  BIGINT,
    since         DATE NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, division_code) REFERENCES divisions (county_id, code),
    FOREIGN KEY (county_id, household_id) REFERENCES households (county_id, id)
);
CREATE INDEX contact_duties_division ON contact_duties (county_id, division_code);
CREATE INDEX contact_duties_household ON contact_duties (county_id, household_id);
