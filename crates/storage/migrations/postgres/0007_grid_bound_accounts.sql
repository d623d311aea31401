-- An account may be bound to a grid (a grid worker to their micro-grid) instead of a division. The
-- grid's tree path is kept with the account (grids do not move), so the jurisdiction is known
-- without a look-up on every request.
ALTER TABLE users ADD COLUMN grid_id BIGINT;
ALTER TABLE users ADD COLUMN grid_path TEXT;
