-- A household's shares are read by household when a distribution is drafted.
CREATE INDEX share_holdings_household ON share_holdings (county_id, household_id, kind);
