-- Scopebook schema, version 19: price drivers and the practice's price rounding.
-- A service's drivers (up to five, in order, each with named choices) and a proposal line's
-- snapshot of them with the choice made, as JSON arrays read strictly by Scopebook (an unknown
-- field or operation is an error, never ignored).
ALTER TABLE services ADD COLUMN drivers TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(drivers) AND json_type(drivers) = 'array' AND json_array_length(drivers) <= 5);
ALTER TABLE proposal_lines ADD COLUMN drivers TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(drivers) AND json_type(drivers) = 'array' AND json_array_length(drivers) <= 5);
-- Where a line's price is rounded: 'cent' (the currency's places), or up to the next 1, 5 or 10.
ALTER TABLE practice ADD COLUMN price_rounding TEXT NOT NULL DEFAULT 'cent'
    CHECK (price_rounding IN ('cent', '1', '5', '10'));
