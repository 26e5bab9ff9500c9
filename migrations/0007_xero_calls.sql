-- Scopebook schema, version 7: every call Scopebook makes to Xero, so the organisation's daily
-- budget is counted over a rolling 24 hours by the app and the CLI alike, across restarts; and
-- the budget itself (Xero's Starter tier allows 1,000 calls per organisation per day).
-- A row here is telemetry, not a change the bookkeeper made: it is not in the change log.
CREATE TABLE xero_calls (
    id          INTEGER PRIMARY KEY,
    -- When the request was sent: RFC 3339 UTC with milliseconds, so text order is time order.
    at          TEXT    NOT NULL,
    -- The organisation (xero-tenant-id); NULL for calls about the connection itself.
    tenant_id   TEXT,
    method      TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    -- Xero's HTTP status; NULL when no answer came back.
    status      INTEGER,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX xero_calls_tenant_at ON xero_calls (tenant_id, at);
CREATE INDEX xero_calls_at ON xero_calls (at);

ALTER TABLE xero_settings ADD COLUMN daily_call_budget INTEGER NOT NULL DEFAULT 1000
    CHECK (daily_call_budget > 0);
