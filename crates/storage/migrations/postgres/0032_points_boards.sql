-- 红黑榜 (issue 19): a village's monthly red and black lists of households. A county sets its
-- privacy rules (how many households the red list holds, the days of the objection window, how
-- long each list stays on the board, the age under which the black list names no one, and how it
-- names the rest). A list is drafted from the ledger, open to objections for some days, then
-- published on the village's public board with the names it may show. Publication writes the
-- places afresh, so an objection names its household and list rather than leaning on a place's row.
CREATE TABLE points_board_rules (
    county_id      BIGINT NOT NULL,
    red_size       BIGINT NOT NULL,
    objection_days BIGINT NOT NULL,
    red_days       BIGINT NOT NULL,
    black_days     BIGINT NOT NULL,
    black_min_age  BIGINT NOT NULL,
    black_names    TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (county_id)
);
CREATE TABLE points_boards (
    county_id       BIGINT NOT NULL,
    id              BIGINT NOT NULL,
    division_code   TEXT NOT NULL,
    month           TEXT NOT NULL,
    state           TEXT NOT NULL,
    drafted_at      BIGINT NOT NULL,
    drafted_by      BIGINT NOT NULL,
    objection_until BIGINT NOT NULL,
    published_at    BIGINT,
    published_by    BIGINT,
    red_until       BIGINT,
    black_until     BIGINT,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, division_code, month)
);
CREATE INDEX points_boards_state ON points_boards (county_id, division_code, state);
CREATE TABLE points_board_entries (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    board_id      BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    list          TEXT NOT NULL,
    place         BIGINT NOT NULL,
    household_id  BIGINT NOT NULL,
    points        BIGINT NOT NULL,
    items         TEXT NOT NULL,
    shown_name    TEXT NOT NULL,
    withdrawn     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, board_id, list, household_id),
    FOREIGN KEY (county_id, board_id) REFERENCES points_boards (county_id, id)
);
CREATE TABLE points_objections (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    board_id      BIGINT NOT NULL,
    entry_id      BIGINT NOT NULL,
    list          TEXT NOT NULL,
    household_id  BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    objector      TEXT NOT NULL,
    reason        TEXT NOT NULL,
    lodged_by     BIGINT NOT NULL,
    lodged_at     BIGINT NOT NULL,
    state         TEXT NOT NULL,
    decided_by    BIGINT,
    decided_at    BIGINT,
    note          TEXT NOT NULL,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, board_id) REFERENCES points_boards (county_id, id)
);
CREATE INDEX points_objections_board ON points_objections (county_id, board_id);
