-- Scopebook schema, version 24: when billing starts. 'from_month': each service's own start month
-- (as before); 'on_acceptance': the month the client accepts; 'free_months': that many months
-- after the month of acceptance. Applied to the lines' months as the proposal is accepted.
ALTER TABLE proposals ADD COLUMN billing_start TEXT NOT NULL DEFAULT 'from_month'
    CHECK (billing_start IN ('from_month', 'on_acceptance', 'free_months'));
ALTER TABLE proposals ADD COLUMN free_months INTEGER NOT NULL DEFAULT 0
    CHECK (free_months BETWEEN 0 AND 24 AND (billing_start = 'free_months') = (free_months > 0));
