-- Where a case is, down to the grid (issue 4, item 1): the micro-grid of its household, or the grid
-- the reporter gave (a grid worker's own). A grid-bound account sees the cases of its grid's
-- subtree and those of its division that carry no grid.
ALTER TABLE cases ADD COLUMN grid_id BIGINT;
CREATE INDEX cases_grid ON cases (county_id, grid_id);
