-- Scopebook schema, version 4: proposals and letters of engagement.
-- A proposal's lines carry a snapshot of each service as it was proposed, so later catalogue
-- changes never rewrite what a client agreed to.

CREATE TABLE proposal_settings (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    number_prefix       TEXT    NOT NULL DEFAULT 'P',
    validity_days       INTEGER NOT NULL DEFAULT 30 CHECK (validity_days BETWEEN 1 AND 365),
    introduction        TEXT    NOT NULL,
    terms               TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);

CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY,
    -- The same number across versions (amendments); (number, version) is unique.
    number          TEXT    NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    client_id       INTEGER NOT NULL REFERENCES clients (id),
    status          TEXT    NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'sent', 'accepted', 'declined', 'expired', 'withdrawn', 'superseded')),
    title           TEXT    NOT NULL,
    introduction    TEXT    NOT NULL DEFAULT '',
    -- JSON array of what is NOT in scope.
    scope_out       TEXT    NOT NULL DEFAULT '[]',
    terms           TEXT    NOT NULL DEFAULT '',
    valid_until     TEXT    NOT NULL,
    -- For an amendment: the proposal it replaces, and the month it takes over (YYYY-MM).
    supersedes_id   INTEGER REFERENCES proposals (id),
    effective_from  TEXT,
    sent_at         TEXT,
    accepted_at     TEXT,
    accepted_by     TEXT,
    decided_at      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (number, version)
);
CREATE INDEX proposals_client ON proposals (client_id);

CREATE TABLE proposal_lines (
    id                  INTEGER PRIMARY KEY,
    proposal_id         INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    service_id          INTEGER REFERENCES services (id),
    -- Snapshot of the service.
    name                TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    category            TEXT    NOT NULL DEFAULT '',
    pricing             TEXT    NOT NULL,
    frequency           TEXT    NOT NULL,
    account_code        TEXT    NOT NULL DEFAULT '',
    tax_type            TEXT    NOT NULL DEFAULT '',
    estimated_minutes   INTEGER NOT NULL DEFAULT 0,
    -- The line.
    quantity            TEXT    NOT NULL,
    discount_percent    TEXT    NOT NULL DEFAULT '0',
    -- Per billing period, after discount, rounded to the currency.
    price               TEXT    NOT NULL,
    start_month         TEXT    NOT NULL,
    end_month           TEXT,
    optional            INTEGER NOT NULL DEFAULT 0,
    -- For an optional line: whether the client chose it.
    chosen              INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX proposal_lines_proposal ON proposal_lines (proposal_id, position);
