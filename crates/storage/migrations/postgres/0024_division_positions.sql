-- Where a village's committee sits (WGS-84 degrees), when known: the maps draw each village's
-- area from these positions (issue 17). Public, like the division's name.
ALTER TABLE divisions ADD COLUMN latitude DOUBLE PRECISION;
ALTER TABLE divisions ADD COLUMN longitude DOUBLE PRECISION;
