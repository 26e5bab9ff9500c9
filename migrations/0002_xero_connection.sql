-- Scopebook schema, version 2: the Xero connection. Tokens are NOT here: they live in the OS
-- keychain only. This holds what is safe to keep on disk: the Xero app's client id, which
-- organisation is connected, and copies of its lists so the forms work offline.

CREATE TABLE xero_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    client_id   TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL
);

CREATE TABLE xero_connection (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    -- Xero's id of the connection (for DELETE /connections/{id}) and of the organisation.
    connection_id   TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    tenant_name     TEXT NOT NULL,
    connected_at    TEXT NOT NULL,
    last_call_at    TEXT
);

-- The organisation's accounts, tax rates, branding themes and tracking categories as Xero
-- last sent them (JSON), refreshed when the bookkeeper asks.
CREATE TABLE xero_lists (
    tenant_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('accounts', 'tax_rates', 'branding_themes', 'tracking_categories')),
    body        TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

ALTER TABLE practice ADD COLUMN default_branding_theme_id TEXT NOT NULL DEFAULT '';
