-- Lists are paged in (county, division, id) order: a scoped list then walks one index range in order
-- and stops after a page, whatever the size of the jurisdiction. These replace the plain
-- (county_id, division_code) indexes, which they cover.
DROP INDEX grids_division;
DROP INDEX grid_staff_division;
DROP INDEX households_division;
DROP INDEX residents_division;
DROP INDEX party_orgs_division;
DROP INDEX party_members_division;
DROP INDEX contact_duties_division;
CREATE INDEX grids_scope ON grids (county_id, division_code, id);
CREATE INDEX grid_staff_scope ON grid_staff (county_id, division_code, id);
CREATE INDEX households_scope ON households (county_id, division_code, id);
CREATE INDEX residents_scope ON residents (county_id, division_code, id);
CREATE INDEX party_orgs_scope ON party_orgs (county_id, division_code, id);
CREATE INDEX party_members_scope ON party_members (county_id, division_code, id);
CREATE INDEX contact_duties_scope ON contact_duties (county_id, division_code, id);
-- Name searches page in (county, name, id) order.
DROP INDEX residents_name;
CREATE INDEX residents_name ON residents (county_id, name, id);
