-- Scopebook schema, version 8: clients and Xero contacts, per organisation.
--
-- A link ties one client to one Xero contact of one organisation; the schema keeps it one to one
-- (a contact is never linked to two clients, a client never to two contacts of the same
-- organisation), so switching organisation leaves no link pointing at the old one. The mirror
-- keeps the fields matching and the connections board need, as Xero last sent them; the cursor
-- is where the next pull starts (and where an interrupted one resumes); the review list holds
-- what needs the bookkeeper's decision.
CREATE TABLE xero_links (
    id              INTEGER PRIMARY KEY,
    tenant_id       TEXT    NOT NULL,
    client_id       INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    contact_id      TEXT    NOT NULL,
    -- 'archived_in_xero': the contact was archived in Xero; the client stays.
    state           TEXT    NOT NULL DEFAULT 'linked' CHECK (state IN ('linked', 'archived_in_xero')),
    linked_at       TEXT    NOT NULL,
    -- Both sides as they agreed at the last sync (JSON), to tell which side changed a field.
    synced_fields   TEXT,
    synced_at       TEXT,
    UNIQUE (tenant_id, contact_id),
    UNIQUE (tenant_id, client_id)
);
CREATE INDEX xero_links_client ON xero_links (client_id);

CREATE TABLE xero_contacts (
    tenant_id               TEXT    NOT NULL,
    contact_id              TEXT    NOT NULL,
    name                    TEXT    NOT NULL,
    contact_number          TEXT,
    account_number          TEXT,
    tax_number              TEXT,
    email                   TEXT,
    first_name              TEXT,
    last_name               TEXT,
    phone                   TEXT,
    postcode                TEXT,
    status                  TEXT    NOT NULL,
    is_customer             INTEGER NOT NULL DEFAULT 0,
    is_supplier             INTEGER NOT NULL DEFAULT 0,
    merged_to_contact_id    TEXT,
    updated_date_utc        TEXT    NOT NULL,
    fetched_at              TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, contact_id)
);
CREATE INDEX xero_contacts_updated ON xero_contacts (tenant_id, updated_date_utc);

CREATE TABLE xero_sync_cursors (
    tenant_id               TEXT    PRIMARY KEY,
    -- UpdatedDateUTC of the newest contact of the last complete pull (If-Modified-Since).
    contacts_modified_since TEXT,
    -- The page an interrupted pull resumes at, and when that pull started (NULL when the last
    -- pull completed).
    resume_page             INTEGER,
    pull_started_at         TEXT,
    last_sync_at            TEXT
);

CREATE TABLE xero_review (
    id          INTEGER PRIMARY KEY,
    tenant_id   TEXT    NOT NULL,
    client_id   INTEGER REFERENCES clients (id) ON DELETE CASCADE,
    contact_id  TEXT,
    kind        TEXT    NOT NULL CHECK (kind IN ('ambiguous_match', 'conflict', 'contact_archived', 'contact_merged')),
    detail      TEXT    NOT NULL DEFAULT '{}',
    created_at  TEXT    NOT NULL,
    resolved_at TEXT
);
CREATE INDEX xero_review_open ON xero_review (tenant_id) WHERE resolved_at IS NULL;

-- Existing links belong to the organisation connected now; the old column allowed one contact
-- on several clients, so the earliest client keeps it. With no organisation connected there
-- is no link to keep (a link needs its organisation).
INSERT INTO xero_links (tenant_id, client_id, contact_id, linked_at)
    SELECT x.tenant_id, c.id, c.xero_contact_id, c.updated_at
    FROM clients c, xero_connection x
    WHERE c.xero_contact_id IS NOT NULL AND c.xero_contact_id <> ''
      AND c.id = (SELECT min(c2.id) FROM clients c2 WHERE c2.xero_contact_id = c.xero_contact_id);

ALTER TABLE clients DROP COLUMN xero_contact_id;
