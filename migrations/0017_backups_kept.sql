-- Scopebook schema, version 17: how many backups of the data file to keep (the newest are kept,
-- the oldest removed after each new one).
ALTER TABLE practice ADD COLUMN backups_kept INTEGER NOT NULL DEFAULT 14
    CHECK (backups_kept BETWEEN 1 AND 365);
