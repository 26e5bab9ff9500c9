//! Scopebook's email (being written).
