-- Village cadres (issue 18) are imported in the console as jobs, whose changes raise a row's
-- version like every other table's: a form opened before the import then gets 409 on saving.
ALTER TABLE village_cadres ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
