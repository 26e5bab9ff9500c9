-- Scopebook schema, version 1: the change log, practice settings, services & pricing.
-- Money and quantities are decimal TEXT (never REAL); timestamps are RFC 3339 UTC TEXT.

-- Every write appends here: the audit log, the source of undo for imports and sync batches,
-- and the guard against sync loops.
CREATE TABLE changes (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('user', 'import', 'sync', 'posting')),
    -- Groups the changes of one import / sync batch so the whole batch can be undone.
    batch       TEXT,
    entity      TEXT    NOT NULL,
    entity_id   INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX changes_entity ON changes (entity, entity_id);
CREATE INDEX changes_batch ON changes (batch) WHERE batch IS NOT NULL;

-- One row: the firm using this copy of Scopebook.
CREATE TABLE practice (
    id                      INTEGER PRIMARY KEY CHECK (id = 1),
    firm_name               TEXT    NOT NULL,
    legal_name              TEXT    NOT NULL DEFAULT '',
    address_line1           TEXT    NOT NULL DEFAULT '',
    address_line2           TEXT    NOT NULL DEFAULT '',
    city                    TEXT    NOT NULL DEFAULT '',
    region                  TEXT    NOT NULL DEFAULT '',
    postcode                TEXT    NOT NULL DEFAULT '',
    email                   TEXT    NOT NULL DEFAULT '',
    phone                   TEXT    NOT NULL DEFAULT '',
    tax_number              TEXT    NOT NULL DEFAULT '',
    country                 TEXT    NOT NULL,
    base_currency           TEXT    NOT NULL,
    locale                  TEXT    NOT NULL,
    brand_colour            TEXT    NOT NULL DEFAULT '#2F6FD6',
    payment_terms_days      INTEGER NOT NULL DEFAULT 14 CHECK (payment_terms_days BETWEEN 0 AND 365),
    recurring_account_code  TEXT    NOT NULL DEFAULT '',
    one_off_account_code    TEXT    NOT NULL DEFAULT '',
    default_tax_type        TEXT    NOT NULL DEFAULT '',
    tax_treatment           TEXT    NOT NULL DEFAULT 'exclusive' CHECK (tax_treatment IN ('exclusive', 'inclusive')),
    hourly_cost             TEXT    NOT NULL DEFAULT '0',
    logo_mime               TEXT,
    logo                    BLOB,
    created_at              TEXT    NOT NULL,
    updated_at              TEXT    NOT NULL
);

CREATE TABLE services (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    category            TEXT    NOT NULL DEFAULT '',
    pricing_kind        TEXT    NOT NULL CHECK (pricing_kind IN ('fixed', 'per_unit', 'hourly')),
    -- fixed: the price; hourly: the rate; per_unit: NULL (the tiers price it).
    price               TEXT,
    unit_name           TEXT    NOT NULL DEFAULT '',
    -- per_unit: the typical quantity (the worked example, and a proposal line's default).
    default_quantity    TEXT,
    estimated_hours     TEXT,
    frequency           TEXT    NOT NULL CHECK (frequency IN ('one_off', 'weekly', 'monthly', 'quarterly', 'annually')),
    account_code        TEXT    NOT NULL DEFAULT '',
    tax_type            TEXT    NOT NULL DEFAULT '',
    estimated_minutes   INTEGER NOT NULL DEFAULT 0 CHECK (estimated_minutes >= 0),
    archived_at         TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);
CREATE UNIQUE INDEX services_active_name ON services (lower(name)) WHERE archived_at IS NULL;
CREATE INDEX services_category ON services (category);

-- Graduated volume tiers of a per-unit service: each tier prices its own band.
CREATE TABLE service_tiers (
    service_id  INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    -- The band's upper bound (inclusive); NULL on the last, open-ended band.
    up_to       TEXT,
    unit_price  TEXT    NOT NULL,
    PRIMARY KEY (service_id, position)
);
