-- Scopebook schema, version 20: how a proposal shows its fees, and terms that belong to a service.
-- 'breakdown' prints every line's price (as before), 'categories' a subtotal per category,
-- 'totals' only the totals. The practice's setting is each new proposal's default.
ALTER TABLE practice ADD COLUMN fee_display TEXT NOT NULL DEFAULT 'breakdown'
    CHECK (fee_display IN ('breakdown', 'categories', 'totals'));
ALTER TABLE proposals ADD COLUMN fee_display TEXT NOT NULL DEFAULT 'breakdown'
    CHECK (fee_display IN ('breakdown', 'categories', 'totals'));
-- A service's own terms ("Payroll: we need timesheets by the 25th"), snapshotted on each proposal
-- line; the letter of engagement prints them only for the services in the accepted scope.
ALTER TABLE services ADD COLUMN terms TEXT NOT NULL DEFAULT '' CHECK (length(terms) <= 20000);
ALTER TABLE proposal_lines ADD COLUMN terms TEXT NOT NULL DEFAULT '';
