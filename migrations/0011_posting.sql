-- Scopebook schema, version 11: posting a month's invoices to Xero exactly once.
--
-- The outbox holds each invoice from the moment it is queued until Xero has it: pending (not
-- sent), sending (in a batch whose answer hasn't been recorded), posted (Xero has it: its id and
-- number), failed (Xero refused it; fix and run again) or uncertain (sent, answer lost: looked
-- up in Xero before anything is sent again). One invoice per client, month and organisation,
-- unless the bookkeeper deliberately adds another (seq 2, 3, …); a Reference is never reused.
CREATE TABLE billing_runs (
    id              INTEGER PRIMARY KEY,
    tenant_id       TEXT    NOT NULL,
    month           TEXT    NOT NULL,
    post_as         TEXT    NOT NULL CHECK (post_as IN ('draft', 'authorised')),
    started_at      TEXT    NOT NULL,
    finished_at     TEXT,
    state           TEXT    NOT NULL CHECK (state IN ('running', 'paused', 'finished', 'cancelled', 'stopped')),
    note            TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    tenant_id       TEXT    NOT NULL,
    month           TEXT    NOT NULL,
    client_id       INTEGER NOT NULL REFERENCES clients (id),
    seq             INTEGER NOT NULL DEFAULT 1,
    reference       TEXT    NOT NULL,
    contact_id      TEXT    NOT NULL,
    -- The invoice exactly as it is sent to Xero (JSON), and its total as Scopebook computed it.
    invoice         TEXT    NOT NULL,
    total           TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'posted', 'failed', 'uncertain')),
    run_id          INTEGER REFERENCES billing_runs (id),
    -- The Idempotency-Key of the batch it was last sent in, and when.
    batch_key       TEXT,
    sent_at         TEXT,
    invoice_id      TEXT,
    invoice_number  TEXT,
    -- What Xero says now: DRAFT, AUTHORISED, PAID, VOIDED, DELETED; and the money.
    xero_status     TEXT,
    amount_due      TEXT,
    amount_paid     TEXT,
    fully_paid_on   TEXT,
    xero_updated_at TEXT,
    -- Xero's words when it refused the invoice (JSON array).
    messages        TEXT    NOT NULL DEFAULT '[]',
    updated_at      TEXT    NOT NULL,
    UNIQUE (tenant_id, month, client_id, seq),
    UNIQUE (tenant_id, reference)
);
CREATE INDEX outbox_state ON outbox (tenant_id, state);
CREATE INDEX outbox_invoice ON outbox (invoice_id);

-- Every status Xero reported for a posted invoice, oldest first.
CREATE TABLE invoice_status_history (
    id              INTEGER PRIMARY KEY,
    outbox_id       INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    at              TEXT    NOT NULL,
    xero_status     TEXT    NOT NULL,
    amount_due      TEXT,
    amount_paid     TEXT
);
CREATE INDEX invoice_status_history_outbox ON invoice_status_history (outbox_id);

-- One posting run per organisation at a time, across processes (the app and a scheduled CLI):
-- whoever holds an unexpired lease posts; a holder that died leaves a lease that expires.
CREATE TABLE posting_lease (
    tenant_id       TEXT    PRIMARY KEY,
    holder          TEXT    NOT NULL,
    acquired_at     TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL
);

-- Where the next payments refresh starts (If-Modified-Since), per organisation.
CREATE TABLE payments_cursor (
    tenant_id       TEXT    PRIMARY KEY,
    modified_since  TEXT,
    refreshed_at    TEXT
);
