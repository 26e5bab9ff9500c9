-- Scopebook schema, version 15: the margin the firm aims for on each client's services (percent
-- of the fee left after the cost of staff time); profitability flags the lines below it.
ALTER TABLE practice ADD COLUMN target_margin TEXT NOT NULL DEFAULT '40';
