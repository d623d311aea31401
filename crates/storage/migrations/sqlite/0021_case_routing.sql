-- Cases that reach the grid, and residents who see what was done (issue 17).
-- Each step of the timeline keeps whom the case was with after it (the handler an assignment or a
-- transfer named), and whether its note is for the resident to read on the tracking page
-- (handlers mark a note public; internal by default).
ALTER TABLE case_events ADD COLUMN handler_id BIGINT;
ALTER TABLE case_events ADD COLUMN is_public INTEGER NOT NULL DEFAULT 0;
-- A photo of the result may be shown to the resident who reported the case.
ALTER TABLE case_files ADD COLUMN is_public INTEGER NOT NULL DEFAULT 0;
-- A case is in reach of the account it is assigned to (a grid worker given a village's case).
CREATE INDEX cases_handler ON cases (county_id, handler_id, state);
