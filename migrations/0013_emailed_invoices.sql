-- Scopebook schema, version 13: when Xero emailed a posted invoice to the client (asked for by
-- the billing setting), or why it couldn't.
ALTER TABLE outbox ADD COLUMN emailed_at TEXT;
ALTER TABLE outbox ADD COLUMN email_note TEXT;
