-- Village cadres (issue 18) are imported in the console as jobs, whose changes raise a row's
-- version like every other table's: a form opened before the import then gets 409 on saving.
-- A term ends (`until`) when a roster names a successor: the record stays as history.
ALTER TABLE village_cadres ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE village_cadres ADD COLUMN until DATE;
