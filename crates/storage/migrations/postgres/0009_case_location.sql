-- Where a case is, when the reporter's phone knows (WGS-84 degrees; coordinates, not money, so
-- floating point is right here).
ALTER TABLE cases ADD COLUMN latitude DOUBLE PRECISION;
ALTER TABLE cases ADD COLUMN longitude DOUBLE PRECISION;
