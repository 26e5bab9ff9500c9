-- Scopebook schema, version 22: packages to choose from. A proposal may offer up to three options
-- (e.g. Essentials / Growth / Complete), each with its own lines, beside lines common to all.
-- An option's lines are optional lines with the option's number; accepting the proposal records the
-- option chosen and marks its lines chosen, so scope and billing take that option only.
ALTER TABLE proposals ADD COLUMN options TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(options) AND json_type(options) = 'array' AND json_array_length(options) <= 3);
ALTER TABLE proposals ADD COLUMN chosen_option INTEGER CHECK (chosen_option BETWEEN 1 AND 3);
ALTER TABLE proposal_lines ADD COLUMN option_no INTEGER
    CHECK (option_no IS NULL OR (option_no BETWEEN 1 AND 3 AND optional = 1));
