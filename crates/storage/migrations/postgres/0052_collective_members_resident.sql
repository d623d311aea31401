-- The members' export joins each member to its resident: without this index SQLite's planner
-- scanned every member of the county for each resident (a county's export never finished).
CREATE INDEX collective_members_resident ON collective_members (county_id, resident_id);
