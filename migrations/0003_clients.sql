-- Scopebook schema, version 3: clients and prospects, with how each is invoiced.

CREATE TABLE clients (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT    NOT NULL DEFAULT 'prospect' CHECK (kind IN ('prospect', 'client')),
    display_name        TEXT    NOT NULL,
    legal_name          TEXT    NOT NULL DEFAULT '',
    first_name          TEXT    NOT NULL DEFAULT '',
    last_name           TEXT    NOT NULL DEFAULT '',
    email               TEXT    NOT NULL DEFAULT '',
    phone               TEXT    NOT NULL DEFAULT '',
    postal_line1        TEXT    NOT NULL DEFAULT '',
    postal_line2        TEXT    NOT NULL DEFAULT '',
    postal_city         TEXT    NOT NULL DEFAULT '',
    postal_region       TEXT    NOT NULL DEFAULT '',
    postal_postcode     TEXT    NOT NULL DEFAULT '',
    postal_country      TEXT    NOT NULL DEFAULT '',
    street_line1        TEXT    NOT NULL DEFAULT '',
    street_line2        TEXT    NOT NULL DEFAULT '',
    street_city         TEXT    NOT NULL DEFAULT '',
    street_region       TEXT    NOT NULL DEFAULT '',
    street_postcode     TEXT    NOT NULL DEFAULT '',
    street_country      TEXT    NOT NULL DEFAULT '',
    tax_number          TEXT    NOT NULL DEFAULT '',
    account_number      TEXT    NOT NULL DEFAULT '',
    notes               TEXT    NOT NULL DEFAULT '',
    -- Invoicing: stored now, used by billing.
    line_detail         TEXT    NOT NULL DEFAULT 'per_service' CHECK (line_detail IN ('per_service', 'summary', 'by_category')),
    account_code        TEXT    NOT NULL DEFAULT '',
    branding_theme_id   TEXT    NOT NULL DEFAULT '',
    tracking1_category  TEXT    NOT NULL DEFAULT '',
    tracking1_option    TEXT    NOT NULL DEFAULT '',
    tracking2_category  TEXT    NOT NULL DEFAULT '',
    tracking2_option    TEXT    NOT NULL DEFAULT '',
    payment_terms_days  INTEGER CHECK (payment_terms_days IS NULL OR payment_terms_days BETWEEN 0 AND 365),
    invoice_email       TEXT    NOT NULL DEFAULT '',
    -- May Scopebook push this client's detail changes to Xero?
    push_to_xero        INTEGER NOT NULL DEFAULT 0,
    xero_contact_id     TEXT,
    archived_at         TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);
-- Xero insists on unique names among active contacts; so do we.
CREATE UNIQUE INDEX clients_active_name ON clients (lower(display_name)) WHERE archived_at IS NULL;
CREATE INDEX clients_email ON clients (lower(email)) WHERE email <> '';
CREATE INDEX clients_tax_number ON clients (tax_number) WHERE tax_number <> '';
