-- Scopebook schema, version 10: the monthly billing plan's settings and a month's adjustments.
--
-- Settings (one row): invoices in advance (services of the invoice's own month) or in arrears
-- (the month before), dated on a chosen day of the month; posted as DRAFT or AUTHORISED; and
-- whether Xero emails approved invoices to the client.
CREATE TABLE billing_settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    timing          TEXT    NOT NULL DEFAULT 'advance' CHECK (timing IN ('advance', 'arrears')),
    invoice_day     INTEGER NOT NULL DEFAULT 1 CHECK (invoice_day BETWEEN 1 AND 31),
    post_as         TEXT    NOT NULL DEFAULT 'draft' CHECK (post_as IN ('draft', 'authorised')),
    email_invoices  INTEGER NOT NULL DEFAULT 0 CHECK (email_invoices IN (0, 1)),
    updated_at      TEXT    NOT NULL
);

-- A month's adjustment of one client's invoice, leaving its proposal alone: skip the client
-- this month, hold its invoice (not posted until released), add a one-off line, or change a
-- proposal line's description for this month.
CREATE TABLE billing_adjustments (
    id              INTEGER PRIMARY KEY,
    month           TEXT    NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    client_id       INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('skip', 'hold', 'extra_line', 'description')),
    -- The proposal line a new description is for.
    line_id         INTEGER REFERENCES proposal_lines (id) ON DELETE CASCADE,
    description     TEXT    NOT NULL DEFAULT '',
    -- An extra line's quantity and unit amount (decimal text), account code and tax type.
    quantity        TEXT,
    unit_amount     TEXT,
    account_code    TEXT    NOT NULL DEFAULT '',
    tax_type        TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL
);
CREATE INDEX billing_adjustments_month ON billing_adjustments (month, client_id);
-- One skip, one hold and one description per line per client and month.
CREATE UNIQUE INDEX billing_adjustments_once ON billing_adjustments (month, client_id, kind, coalesce(line_id, 0))
    WHERE kind IN ('skip', 'hold', 'description');

-- The month a proposal line's billing cycle counts from: its first start month. An amendment
-- moves a line's start to its effective month but keeps the cycle, so an annual fee is not
-- billed twice in a year and a one-off fee already billed is not billed again.
ALTER TABLE proposal_lines ADD COLUMN anchor_month TEXT;
UPDATE proposal_lines SET anchor_month = start_month;
