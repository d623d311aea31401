-- 党员积分·星级评定 (issue 19): a county's star thresholds and publication days; a branch's
-- month, published on the village board for some days and then final, with each member's points
-- and stars as they stood.
CREATE TABLE points_settings (
    county_id       BIGINT NOT NULL,
    star_thresholds TEXT NOT NULL,
    publish_days    BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (county_id)
);
CREATE TABLE member_months (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    org_id        BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    month         TEXT NOT NULL,
    state         TEXT NOT NULL,
    published_at  BIGINT NOT NULL,
    publish_until BIGINT NOT NULL,
    published_by  BIGINT NOT NULL,
    finalized_at  BIGINT,
    finalized_by  BIGINT,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, org_id, month)
);
CREATE TABLE member_month_results (
    county_id     BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    month_id      BIGINT NOT NULL,
    member_id     BIGINT NOT NULL,
    division_code TEXT NOT NULL,
    points        BIGINT NOT NULL,
    stars         BIGINT NOT NULL,
    probationary  INTEGER NOT NULL,
    PRIMARY KEY (county_id, id),
    UNIQUE (county_id, month_id, member_id),
    FOREIGN KEY (county_id, month_id) REFERENCES member_months (county_id, id)
);
CREATE INDEX member_month_results_member ON member_month_results (county_id, member_id);
