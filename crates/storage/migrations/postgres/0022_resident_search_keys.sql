-- Finding a resident by phone number or by the last four characters of the ID number (issue 17)
-- through keyed indexes (HMAC-SM3, like the full ID number's), so a search never opens every
-- sealed value. Rows written before this migration get theirs when the database is opened with
-- its key (`Db::connect`).
ALTER TABLE residents ADD COLUMN phone_hash TEXT;
ALTER TABLE residents ADD COLUMN id_tail_hash TEXT;
CREATE INDEX residents_phone_hash ON residents (county_id, phone_hash);
CREATE INDEX residents_id_tail_hash ON residents (county_id, id_tail_hash);
