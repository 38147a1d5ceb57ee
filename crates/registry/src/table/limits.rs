//! Bounds against hostile files.

/// Longest accepted value, in characters.
pub const MAX_VALUE_CHARS: usize = 1000;
/// Most columns a file may have.
pub const MAX_COLUMNS: usize = 200;
/// Longest accepted CSV record, in bytes (quoted line breaks included).
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// How many non-empty rows are searched for the header row.
pub(crate) const HEADER_SEARCH_ROWS: usize = 20;
