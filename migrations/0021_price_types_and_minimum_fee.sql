-- Scopebook schema, version 21: more ways to price a fixed service, and the practice's minimum
-- monthly fee.
-- A fixed service's price is exact ('exact', as before), a minimum ("from $X"), or included
-- (shown in scope without a price, and not invoiced).
ALTER TABLE services ADD COLUMN price_type TEXT NOT NULL DEFAULT 'exact'
    CHECK (price_type IN ('exact', 'minimum', 'included') AND (price_type = 'exact' OR pricing_kind = 'fixed'));
-- The least a client with recurring services pays a month; 0 for none. A proposal that comes in
-- under it gets a visible top-up line for the difference.
ALTER TABLE practice ADD COLUMN minimum_monthly_fee TEXT NOT NULL DEFAULT '0';
-- The line Scopebook adds for that top-up: recalculated on every save, never typed.
ALTER TABLE proposal_lines ADD COLUMN top_up INTEGER NOT NULL DEFAULT 0 CHECK (top_up IN (0, 1));
