-- Notifications of case steps (issue 4): written in the same transaction as the step (an outbox),
-- read in the console by their recipients, and delivered to the configured webhook (an SMS or
-- messaging gateway) with retries; every attempt's outcome stays visible.
CREATE TABLE notifications (
    county_id        BIGINT NOT NULL,
    id               BIGINT NOT NULL,
    case_id          BIGINT NOT NULL,
    -- The case's division, for jurisdiction.
    division_code    TEXT NOT NULL,
    -- assigned, escalated, supervised, extension_requested, returned, resolved, reopened
    kind             TEXT NOT NULL,
    -- One account, or every account working at a division (a level's office: its superiors).
    user_id          BIGINT,
    to_division      TEXT,
    message_zh       TEXT NOT NULL,
    message_en       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    -- pending, sent, failed
    delivery         TEXT NOT NULL,
    attempts         BIGINT NOT NULL,
    next_attempt_at  BIGINT,
    last_error       TEXT,
    delivered_at     BIGINT,
    PRIMARY KEY (county_id, id),
    FOREIGN KEY (county_id, case_id) REFERENCES cases (county_id, id)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX notifications_user ON notifications (user_id, id) WHERE user_id IS NOT NULL;
CREATE INDEX notifications_office ON notifications (to_division, id) WHERE to_division IS NOT NULL;
CREATE INDEX notifications_scope ON notifications (county_id, division_code, id);
