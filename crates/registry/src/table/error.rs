//! What a table read can go wrong with, and what it reports besides the rows.

use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A header taken for a misspelling of a column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misspelling {
    /// `inventory` or `catalogue`.
    pub kind: String,
    /// The header as written.
    pub header: String,
    /// The column meant: `serial (Số serial)`.
    pub suggestion: String,
    /// Its English key.
    pub key: String,
}

/// Something read that was kept but deserves a look: an unknown column, a row that cannot be
/// matched on re-import. `line` is the header's line for a column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileWarning {
    pub line: usize,
    pub warning: String,
}

/// A row that was not imported, and why (short English naming the column and value, several
/// reasons joined by `; `).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub line: usize,
    pub reason: String,
}

/// A file that cannot be read (or written) at all; nothing is imported.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("unsupported file format: {0}")]
    UnsupportedFormat(String),
    #[error("CSV: {0}")]
    Csv(String),
    #[error("spreadsheet: {0}")]
    Xlsx(String),
    /// A workbook archive beyond a bound of `zip_guard`, refused before it is unpacked.
    #[error("refused before reading: {reason}")]
    Workbook { path: PathBuf, reason: String },
    #[error("missing required column(s): {described}")]
    MissingColumns {
        /// The English keys of the missing columns.
        columns: Vec<String>,
        /// The same with their Vietnamese headers: `vendor (Hãng), model (Model)`.
        described: String,
    },
    #[error(
        "{}: rename {} to the column name (a column of your own needs a name not this close to one)",
        misspelled.iter().map(|m| format!("column {:?} is not a{} {} column, did you mean {}?", m.header, if m.kind == "inventory" { "n" } else { "" }, m.kind, m.suggestion)).collect::<Vec<_>>().join("; "),
        if misspelled.len() == 1 { "it" } else { "them" }
    )]
    MisspelledColumns { misspelled: Vec<Misspelling> },
    #[error("no header row: the file has no data")]
    NoHeader,
    #[error("the header has {found} columns; at most {limit} are allowed")]
    TooManyColumns { found: usize, limit: usize },
    #[error("columns {first:?} and {second:?} both name the {column} column")]
    DuplicateColumn {
        column: String,
        first: String,
        second: String,
    },
    #[error("line {line}: a record longer than {limit} bytes; this is not an inventory file")]
    RecordTooLong { line: usize, limit: usize },
    #[error("the file is not UTF-8 text ({0}); save it as \"CSV UTF-8\" or as XLSX")]
    Encoding(String),
    #[error("attribute {key:?} cannot be written: {reason}")]
    BadAttribute { key: String, reason: String },
}

/// `vendor (Hãng), model (Model)`: keys with their Vietnamese headers where known.
pub(crate) fn describe_columns(columns: &[(&str, &str)], keys: &[String]) -> String {
    keys.iter()
        .map(|k| {
            let vi = columns.iter().find(|(key, _)| key == k).map(|(_, vi)| *vi);
            match vi {
                Some(vi) if vi.to_lowercase() != *k => format!("{k} ({vi})"),
                _ => k.clone(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value quoted for a rejection reason, shortened to 60 characters.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}", format!("{}…", &s[..cut])),
        None => format!("{s:?}"),
    }
}
