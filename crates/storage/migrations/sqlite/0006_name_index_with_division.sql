-- A scoped name search walks (county, name, id) in order and skips names outside the jurisdiction;
-- with the division code in the index it skips them without reading the table row.
DROP INDEX residents_name;
CREATE INDEX residents_name ON residents (county_id, name, id, division_code);

-- A tag filter (低保, 退役军人 …) walks the scope index and tests the tag bits in the index entry,
-- reading only the rows it returns.
DROP INDEX residents_scope;
CREATE INDEX residents_scope ON residents (county_id, division_code, id, tags);
