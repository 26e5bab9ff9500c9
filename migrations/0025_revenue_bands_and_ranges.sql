-- Scopebook schema, version 25: revenue bands, and price ranges confirmed before billing.
--
-- The practice's bands: its annual revenue ranges (set 1) and optionally a second set (e.g. the
-- number of entities). A band that is removed while something still uses it is archived.
ALTER TABLE practice ADD COLUMN band_set_1_name TEXT NOT NULL DEFAULT 'Annual revenue'
    CHECK (length(trim(band_set_1_name)) BETWEEN 1 AND 60);
-- Empty while the practice has no second set.
ALTER TABLE practice ADD COLUMN band_set_2_name TEXT NOT NULL DEFAULT ''
    CHECK (length(band_set_2_name) <= 60);
CREATE TABLE revenue_bands (
    id          INTEGER PRIMARY KEY,
    band_set    INTEGER NOT NULL CHECK (band_set IN (1, 2)),
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 60),
    archived_at TEXT
);
CREATE UNIQUE INDEX revenue_bands_active_name
    ON revenue_bands (band_set, lower(name)) WHERE archived_at IS NULL;

-- The services table again, for two more price types (SQLite cannot change a CHECK in place):
-- 'range' (an estimate from price to price_high, confirmed before billing) and 'banded' (a
-- price per band of set band_set, in service_band_prices). Foreign keys are off while a
-- migration runs, so the tiers, proposal lines and work log that refer to services keep them.
CREATE TABLE services_v25 (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    category            TEXT    NOT NULL DEFAULT '',
    pricing_kind        TEXT    NOT NULL CHECK (pricing_kind IN ('fixed', 'per_unit', 'hourly')),
    -- fixed: the price (a range's lower end; NULL when banded); hourly: the rate; per_unit: NULL.
    price               TEXT,
    unit_name           TEXT    NOT NULL DEFAULT '',
    default_quantity    TEXT,
    estimated_hours     TEXT,
    frequency           TEXT    NOT NULL CHECK (frequency IN ('one_off', 'weekly', 'monthly', 'quarterly', 'annually')),
    account_code        TEXT    NOT NULL DEFAULT '',
    tax_type            TEXT    NOT NULL DEFAULT '',
    estimated_minutes   INTEGER NOT NULL DEFAULT 0 CHECK (estimated_minutes >= 0),
    archived_at         TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    drivers             TEXT    NOT NULL DEFAULT '[]'
        CHECK (json_valid(drivers) AND json_type(drivers) = 'array' AND json_array_length(drivers) <= 5),
    terms               TEXT    NOT NULL DEFAULT '' CHECK (length(terms) <= 20000),
    price_type          TEXT    NOT NULL DEFAULT 'exact'
        CHECK (price_type IN ('exact', 'minimum', 'included', 'range', 'banded')
               AND (price_type = 'exact' OR pricing_kind = 'fixed')),
    -- A range's upper end.
    price_high          TEXT CHECK ((price_type = 'range') = (price_high IS NOT NULL)),
    -- A banded price's band set.
    band_set            INTEGER CHECK (band_set IN (1, 2) AND price_type = 'banded'
                                       OR band_set IS NULL AND price_type <> 'banded')
);
INSERT INTO services_v25 (id, name, description, category, pricing_kind, price, unit_name,
    default_quantity, estimated_hours, frequency, account_code, tax_type, estimated_minutes,
    archived_at, created_at, updated_at, drivers, terms, price_type)
SELECT id, name, description, category, pricing_kind, price, unit_name,
    default_quantity, estimated_hours, frequency, account_code, tax_type, estimated_minutes,
    archived_at, created_at, updated_at, drivers, terms, price_type
FROM services;
DROP TABLE services;
ALTER TABLE services_v25 RENAME TO services;
CREATE UNIQUE INDEX services_active_name ON services (lower(name)) WHERE archived_at IS NULL;
CREATE INDEX services_category ON services (category);

-- A banded service's price in each band of its set.
CREATE TABLE service_band_prices (
    service_id  INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    band_id     INTEGER NOT NULL REFERENCES revenue_bands (id),
    price       TEXT    NOT NULL,
    PRIMARY KEY (service_id, band_id)
) WITHOUT ROWID;

-- The client's band in each set, and the bands a proposal is priced at (from the client's;
-- accepting the proposal puts its bands on the client).
ALTER TABLE clients ADD COLUMN band_1_id INTEGER REFERENCES revenue_bands (id);
ALTER TABLE clients ADD COLUMN band_2_id INTEGER REFERENCES revenue_bands (id);
ALTER TABLE proposals ADD COLUMN band_1_id INTEGER REFERENCES revenue_bands (id);
ALTER TABLE proposals ADD COLUMN band_2_id INTEGER REFERENCES revenue_bands (id);

-- A range line: its upper end per billing period (`price` is the lower end), and the price the
-- firm confirmed once the work was known, within the range. Billed only once confirmed.
ALTER TABLE proposal_lines ADD COLUMN price_high TEXT;
ALTER TABLE proposal_lines ADD COLUMN confirmed_price TEXT
    CHECK (confirmed_price IS NULL OR price_high IS NOT NULL);
ALTER TABLE proposal_lines ADD COLUMN confirmed_at TEXT
    CHECK ((confirmed_at IS NULL) = (confirmed_price IS NULL));
