-- Scopebook schema, version 23: a proposal's structure saved as a template (options, lines with
-- their quantities, discounts and driver choices, introduction, terms, what isn't included, fee
-- display), to start a new proposal from in one click. The structure is a proposal form as JSON,
-- read strictly; the client, the months and the validity are set when a proposal starts from it.
CREATE TABLE proposal_structures (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 80),
    structure   TEXT NOT NULL CHECK (json_valid(structure)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX proposal_structures_name ON proposal_structures (lower(name));
