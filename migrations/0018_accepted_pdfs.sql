-- Scopebook schema, version 18: the PDF of what the client agreed to, kept with the proposal.
-- Written once, as the proposal is accepted (or, after a crash in between, the first time its PDF
-- is asked for); a later version of the proposal has its own row. Never updated or deleted.
CREATE TABLE accepted_pdfs (
    proposal_id INTEGER PRIMARY KEY REFERENCES proposals(id),
    pdf         BLOB NOT NULL CHECK (substr(pdf, 1, 5) = CAST('%PDF-' AS BLOB)),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    standards   TEXT NOT NULL,
    rendered_at TEXT NOT NULL
);

CREATE TRIGGER accepted_pdfs_never_change BEFORE UPDATE ON accepted_pdfs
BEGIN
    SELECT RAISE(ABORT, 'The PDF a client accepted is kept as it was and never changed.');
END;

CREATE TRIGGER accepted_pdfs_never_removed BEFORE DELETE ON accepted_pdfs
BEGIN
    SELECT RAISE(ABORT, 'The PDF a client accepted is kept as it was and never removed.');
END;
