-- Case statistics and queues over a county's whole history (issue 4's 1,000,000-case target):
-- how often the clock escalated a case is kept on the case (so on-time rates need no look at the
-- timeline), a covering period index for the statistics, and a state index for the queues.
ALTER TABLE cases ADD COLUMN auto_escalations BIGINT NOT NULL DEFAULT 0;
UPDATE cases SET auto_escalations = (
    SELECT COUNT(*) FROM case_events e
    WHERE e.county_id = cases.county_id AND e.case_id = cases.id AND e.action = 'escalate' AND e.actor = 'system'
);
-- Covering: a year of a county's statistics reads this index alone, never the table.
CREATE INDEX cases_period ON cases (county_id, created_at, division_code, category, state, level, resolved_at, rating,
    auto_escalations, household_id);
CREATE INDEX cases_state ON cases (county_id, state, division_code, id);
