-- Scopebook schema, version 16: out-of-scope work gathered into an amendment proposal — the
-- proposal (a new version of the client's accepted one) that adds a service to cover it.
ALTER TABLE work_log ADD COLUMN proposal_id INTEGER REFERENCES proposals (id) ON DELETE SET NULL;
