-- 统计汇总: the cases filed in one township (the first nine digits of the division code) in one
-- month (China time), by category and state, with the figures the statistics need; and the
-- resolved ones' durations as a histogram (buckets 2% wide), for the median. A folder rebuilds the
-- groups whose cases changed since its mark (cases.updated_at), so a county's year reads a few
-- thousand rows instead of every case, and a step never waits on a shared row.
CREATE TABLE case_rollups (
    county_id        BIGINT NOT NULL,
    township         TEXT NOT NULL,
    month            TEXT NOT NULL,
    category         TEXT NOT NULL,
    state            TEXT NOT NULL,
    cases            BIGINT NOT NULL,
    resolved         BIGINT NOT NULL,
    on_time          BIGINT NOT NULL,
    settled_village  BIGINT NOT NULL,
    settled_township BIGINT NOT NULL,
    rating_sum       BIGINT NOT NULL,
    rated            BIGINT NOT NULL,
    PRIMARY KEY (county_id, township, month, category, state)
);
CREATE INDEX case_rollups_month ON case_rollups (county_id, month, township);

CREATE TABLE case_durations (
    county_id BIGINT NOT NULL,
    township  TEXT NOT NULL,
    month     TEXT NOT NULL,
    bucket    BIGINT NOT NULL,
    cases     BIGINT NOT NULL,
    PRIMARY KEY (county_id, township, month, bucket)
);
CREATE INDEX case_durations_month ON case_durations (county_id, month, township);

-- Each county's fold mark: cases changed at or after it (less a margin) are folded again.
CREATE TABLE case_rollup_marks (
    county_id BIGINT PRIMARY KEY,
    folded_to BIGINT NOT NULL
);
CREATE INDEX cases_updated ON cases (county_id, updated_at);
