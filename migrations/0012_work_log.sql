-- Scopebook schema, version 12: work done for a client, checked against its accepted scope.
--
-- Each entry says what was done, when, by whom and for how long; Scopebook records whether the
-- accepted scope covered it (in scope), the proposal said it wasn't included (out of scope), or
-- nothing covers it (not covered), and why in words. Out-of-scope work can be billed as a
-- month's extra line (the adjustment it became is kept).
CREATE TABLE work_log (
    id                  INTEGER PRIMARY KEY,
    client_id           INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    done_on             TEXT    NOT NULL CHECK (done_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    description         TEXT    NOT NULL CHECK (description <> ''),
    done_by             TEXT    NOT NULL DEFAULT '',
    minutes             INTEGER NOT NULL CHECK (minutes > 0),
    service_id          INTEGER REFERENCES services (id),
    coverage            TEXT    NOT NULL CHECK (coverage IN ('in_scope', 'out_of_scope', 'not_covered')),
    coverage_reason     TEXT    NOT NULL,
    billed_adjustment_id INTEGER REFERENCES billing_adjustments (id) ON DELETE SET NULL,
    created_at          TEXT    NOT NULL
);
CREATE INDEX work_log_client ON work_log (client_id, done_on);
