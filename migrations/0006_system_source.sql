-- Changes made by Scopebook itself (a sent proposal passing its validity date, and other
-- automatic steps) are attributed to 'system', not to the user. SQLite can't alter a CHECK, so
-- the change log is rebuilt with the wider one; ids, and so the order of the log, are kept.
CREATE TABLE changes_new (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('user', 'import', 'sync', 'posting', 'system')),
    -- Groups the changes of one import / sync batch so the whole batch can be undone.
    batch       TEXT,
    entity      TEXT    NOT NULL,
    entity_id   INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '{}'
);
INSERT INTO changes_new (id, at, source, batch, entity, entity_id, action, detail)
    SELECT id, at, source, batch, entity, entity_id, action, detail FROM changes;
DROP TABLE changes;
ALTER TABLE changes_new RENAME TO changes;
CREATE INDEX changes_entity ON changes (entity, entity_id);
CREATE INDEX changes_batch ON changes (batch) WHERE batch IS NOT NULL;
