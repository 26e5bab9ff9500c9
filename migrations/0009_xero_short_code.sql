-- Scopebook schema, version 9: the organisation's ShortCode (from GET /Organisation), which
-- Xero's deep links ("open in Xero") need. Learnt the first time a link is asked for.
ALTER TABLE xero_connection ADD COLUMN short_code TEXT;
