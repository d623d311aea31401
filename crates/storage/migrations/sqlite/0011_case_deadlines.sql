-- Each county's case clocks (issue 4); a county without a row uses the defaults (24 hours to accept;
-- 3 days at micro-grid, grid and village level, 15 at township, 60 at county; one 30-day extension;
-- 7 days for the resident to answer; 30 days to reopen).
CREATE TABLE case_deadlines (
    county_id          BIGINT PRIMARY KEY,
    accept_hours       BIGINT NOT NULL,
    resolve_micro_grid BIGINT NOT NULL,
    resolve_grid       BIGINT NOT NULL,
    resolve_village    BIGINT NOT NULL,
    resolve_township   BIGINT NOT NULL,
    resolve_county     BIGINT NOT NULL,
    extension_days     BIGINT NOT NULL,
    confirm_days       BIGINT NOT NULL,
    reopen_days        BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
