//! The table engine shared by inventory and catalogue files: rows from CSV or a worksheet,
//! the header row found and folded, every bound against hostile files applied, and each data
//! row handed to a converter of the file kind ([`crate::inventory`], [`crate::catalogue`]).
//!
//! * `csv_source`: CSV text (UTF-8 or UTF-16, delimiter detection, a record-length guard);
//! * `sheet`: XLSX, XLSB, XLS and ODS through calamine, after [`zip_guard`] has checked a
//!   ZIP-based workbook's sizes and counts (nothing is decompressed into memory before);
//! * [`formula`]: the neutralising quote of cells a spreadsheet would run as formulas.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::{format_date, parse_date};

mod columns;
mod csv_source;
pub mod formula;
mod sheet;
pub mod zip_guard;

use csv_source::CsvSource;
pub(crate) use sheet::extension;
use sheet::{Format, detect_format, read_workbook};

/// Longest accepted value, in characters.
pub const MAX_VALUE_CHARS: usize = 1000;
/// Most columns a file may have.
pub const MAX_COLUMNS: usize = 200;
/// Longest accepted CSV record, in bytes (quoted line breaks included).
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// How many non-empty rows are searched for the header row.
const HEADER_SEARCH_ROWS: usize = 20;

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
    /// A workbook archive beyond a bound of [`zip_guard`], refused before it is unpacked.
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
fn describe_columns(columns: &[(&str, &str)], keys: &[String]) -> String {
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

// ---------------------------------------------------------------------------------------------
// Header names

/// Folds a header for comparison: lower case, Vietnamese (and common Latin) diacritics and
/// combining marks removed, `_` as a space, runs of white space as one space, trimmed.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        let c = base_letter(c);
        if c.is_whitespace() || c == '_' {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// The base letter of a lower-case letter with diacritics (Vietnamese and Latin-1).
fn base_letter(c: char) -> char {
    // U+1EA0..=U+1EF9: Vietnamese letters, upper and lower case alternating.
    const VI: &[u8; 45] = b"aaaaaaaaaaaaeeeeeeeeiioooooooooooouuuuuuuyyyy";
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ă' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ơ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ư' => 'u',
        'ý' | 'ÿ' => 'y',
        'đ' => 'd',
        'ç' => 'c',
        'ñ' => 'n',
        '\u{1ea0}'..='\u{1ef9}' => VI[(c as usize - 0x1ea0) / 2] as char,
        _ => c,
    }
}

/// The schema column a header names, if any.
pub(crate) fn resolve_header(folded: &[(String, String)], header: &str) -> Option<usize> {
    let find = |h: &str| {
        let h = fold(h);
        if h.is_empty() {
            return None;
        }
        folded.iter().position(|(en, vi)| *en == h || *vi == h)
    };
    if let Some(i) = find(header) {
        return Some(i);
    }
    // "Đơn vị (org)" or "org (Đơn vị)"
    let inner_end = header.trim_end().strip_suffix(')')?;
    let open = inner_end.rfind('(')?;
    find(&inner_end[open + 1..]).or_else(|| find(&inner_end[..open]))
}
// ---------------------------------------------------------------------------------------------
// The engine

/// The columns of a kind of file.
pub(crate) struct Schema {
    /// `inventory` or `catalogue`: the section of `kb/registry/columns.toml` and the word in
    /// messages.
    pub kind: &'static str,
    /// What happens to the values of an unknown column, for the warning.
    pub unknown_columns: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
    pub required: &'static [&'static str],
}

impl Schema {
    pub(crate) fn folded(&self) -> Vec<(String, String)> {
        self.columns
            .iter()
            .map(|(en, vi)| (fold(en), fold(vi)))
            .collect()
    }
}

/// A cell as read from a file.
pub(crate) enum RawCell {
    Empty,
    Text(String),
    Date(Date),
    /// Unreadable (reason without the column name).
    Bad(String),
}

/// A value of a known column.
pub(crate) enum Cell {
    Text(String),
    Date(Date),
}

/// The values of one data row, for a row converter.
pub(crate) struct RowValues {
    columns: &'static [(&'static str, &'static str)],
    fields: Vec<Option<Cell>>,
    pub attributes: BTreeMap<String, String>,
}

impl RowValues {
    /// Takes the value of column `i` as text (a date as `YYYY-MM-DD`).
    pub(crate) fn text(&mut self, i: usize) -> Option<String> {
        match self.fields[i].take()? {
            Cell::Text(s) => Some(s),
            Cell::Date(d) => Some(format_date(d)),
        }
    }

    /// Takes the value of column `i`, noting `KEY: required value is missing` when empty.
    pub(crate) fn required_text(&mut self, i: usize, errors: &mut Vec<String>) -> Option<String> {
        let v = self.text(i);
        let key = self.columns[i].0;
        // An unreadable cell has already been reported.
        let reported = || {
            errors.iter().any(|e| {
                e.strip_prefix(key)
                    .is_some_and(|rest| rest.starts_with(": "))
            })
        };
        if v.is_none() && !reported() {
            errors.push(format!("{key}: required value is missing"));
        }
        v
    }

    /// Takes the value of column `i` as a date, noting an error when it is not one.
    pub(crate) fn date(&mut self, i: usize, errors: &mut Vec<String>) -> Option<Date> {
        match self.fields[i].take()? {
            Cell::Date(d) => Some(d),
            Cell::Text(s) => {
                let d = parse_date(&s);
                if d.is_none() {
                    errors.push(format!(
                        "{}: {} is not a date (YYYY-MM-DD or DD/MM/YYYY)",
                        self.columns[i].0,
                        quote(&s)
                    ));
                }
                d
            }
        }
    }
}

pub(crate) type Convert<'c, T> = &'c mut dyn FnMut(&mut RowValues, &mut Vec<String>) -> Option<T>;

/// Rows read and rejected.
pub(crate) struct TableRows<T> {
    pub rows: Vec<(usize, T)>,
    pub rejected: Vec<RejectedRow>,
    pub warnings: Vec<FileWarning>,
}

/// One row from a source: its line number and how wide it is, counting cells beyond
/// [`MAX_COLUMNS`] that were not kept.
#[derive(Default)]
pub(crate) struct RowInfo {
    pub(crate) line: usize,
    /// One past the last non-empty cell (0: the row is empty and skipped).
    pub(crate) width: usize,
    /// One past the last cell the row has, empty or not (a CSV record's field count): the
    /// column limit counts these, so that empty cells cannot carry a row past it.
    pub(crate) columns: usize,
}

pub(crate) trait RowSource {
    /// Fills `cells` (at most [`MAX_COLUMNS`], by column index) with the next row.
    fn next_row(&mut self, cells: &mut Vec<RawCell>) -> Result<Option<RowInfo>, FileError>;
}

enum Slot {
    Field(usize),
    Attr(String),
}

pub(crate) fn read_table<T>(
    src: &mut dyn RowSource,
    schema: &Schema,
    satisfied: &[&str],
    convert: Convert<'_, T>,
) -> Result<TableRows<T>, FileError> {
    let folded = schema.folded();
    let known = |cells: &[RawCell]| {
        cells
            .iter()
            .filter(|c| matches!(c, RawCell::Text(s) if resolve_header(&folded, s).is_some()))
            .count()
    };

    // The header: the first of the first rows naming two known columns, else the first row.
    let mut pending: Vec<(RowInfo, Vec<RawCell>)> = Vec::new();
    let mut cells = Vec::new();
    let mut header = None;
    while let Some(info) = src.next_row(&mut cells)? {
        if info.width == 0 {
            continue;
        }
        if info.columns > MAX_COLUMNS {
            return Err(FileError::TooManyColumns {
                found: info.columns,
                limit: MAX_COLUMNS,
            });
        }
        if known(&cells) >= 2 {
            pending.clear();
            header = Some((info.line, std::mem::take(&mut cells)));
            break;
        }
        pending.push((info, std::mem::take(&mut cells)));
        if pending.len() >= HEADER_SEARCH_ROWS {
            break;
        }
    }
    let (header_line, header) = match header {
        Some(h) => h,
        None if pending.is_empty() => return Err(FileError::NoHeader),
        None => {
            let (info, cells) = pending.remove(0);
            (info.line, cells)
        }
    };

    // Columns → slots.
    let mut slots = Vec::with_capacity(header.len());
    let mut seen_field: Vec<Option<String>> = vec![None; schema.columns.len()];
    let mut seen_attr = HashSet::new();
    let mut named_attrs: Vec<(usize, String)> = Vec::new();
    for (i, cell) in header.into_iter().enumerate() {
        let name = match cell {
            RawCell::Empty => String::new(),
            RawCell::Text(s) => s,
            RawCell::Date(d) => format_date(d),
            RawCell::Bad(reason) => {
                return Err(FileError::Encoding(format!(
                    "header of column {}: {reason}",
                    i + 1
                )));
            }
        };
        if let Some(f) = resolve_header(&folded, &name) {
            if let Some(first) = &seen_field[f] {
                return Err(FileError::DuplicateColumn {
                    column: schema.columns[f].0.to_owned(),
                    first: first.clone(),
                    second: name,
                });
            }
            seen_field[f] = Some(name);
            slots.push(Slot::Field(f));
            continue;
        }
        let base = if name.is_empty() {
            format!("column {}", i + 1)
        } else {
            named_attrs.push((slots.len(), name.clone()));
            name
        };
        let mut attr = base.clone();
        let mut n = 1;
        while !seen_attr.insert(attr.clone()) {
            n += 1;
            attr = format!("{base} ({n})");
        }
        slots.push(Slot::Attr(attr));
    }
    // Headers naming no column: a misspelling of a column the file lacks is refused, anything
    // else is the user's own column, kept (inventory) or ignored (catalogue), with a warning.
    let mut misspelled = Vec::new();
    let mut warnings = Vec::new();
    for (_, name) in &named_attrs {
        match columns::suggest(schema, name).filter(|f| seen_field[*f].is_none()) {
            Some(f) => misspelled.push(Misspelling {
                kind: schema.kind.to_owned(),
                header: name.clone(),
                suggestion: describe_columns(schema.columns, &[schema.columns[f].0.to_owned()]),
                key: schema.columns[f].0.to_owned(),
            }),
            None => warnings.push(FileWarning {
                line: header_line,
                warning: format!(
                    "column {name:?} is not a{} {} column; {}",
                    if schema.kind == "inventory" { "n" } else { "" },
                    schema.kind,
                    schema.unknown_columns
                ),
            }),
        }
    }
    if !misspelled.is_empty() {
        return Err(FileError::MisspelledColumns { misspelled });
    }
    let missing: Vec<String> = schema
        .required
        .iter()
        .filter(|key| !satisfied.contains(key))
        .filter(|key| {
            let f = schema.columns.iter().position(|(k, _)| k == *key);
            f.is_none_or(|f| seen_field[f].is_none())
        })
        .map(|k| (*k).to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns {
            described: describe_columns(schema.columns, &missing),
            columns: missing,
        });
    }

    // Data rows.
    let mut out = TableRows {
        rows: Vec::new(),
        rejected: Vec::new(),
        warnings,
    };
    let mut row = |info: RowInfo, cells: &mut Vec<RawCell>| {
        if info.width == 0 {
            return;
        }
        let mut errors = Vec::new();
        if info.columns > MAX_COLUMNS {
            errors.push(format!(
                "the row has {} columns; at most {MAX_COLUMNS} are allowed",
                info.columns
            ));
        }
        let mut values = RowValues {
            columns: schema.columns,
            fields: std::iter::repeat_with(|| None)
                .take(schema.columns.len())
                .collect(),
            attributes: BTreeMap::new(),
        };
        for (i, raw) in cells.drain(..).enumerate() {
            let slot = slots.get(i);
            let name = || match slot {
                Some(Slot::Field(f)) => schema.columns[*f].0.to_owned(),
                Some(Slot::Attr(a)) => a.clone(),
                None => format!("column {}", i + 1),
            };
            let cell = match raw {
                RawCell::Empty => continue,
                RawCell::Bad(reason) => {
                    errors.push(format!("{}: {reason}", name()));
                    continue;
                }
                RawCell::Text(s) => {
                    if s.len() > MAX_VALUE_CHARS && s.chars().count() > MAX_VALUE_CHARS {
                        errors.push(format!(
                            "{}: the value is {} characters long; at most {MAX_VALUE_CHARS} are allowed",
                            name(),
                            s.chars().count()
                        ));
                        continue;
                    }
                    Cell::Text(s)
                }
                RawCell::Date(d) => Cell::Date(d),
            };
            match slot {
                Some(Slot::Field(f)) => values.fields[*f] = Some(cell),
                _ => {
                    let text = match cell {
                        Cell::Text(s) => s,
                        Cell::Date(d) => format_date(d),
                    };
                    values.attributes.insert(name(), text);
                }
            }
        }
        let converted = convert(&mut values, &mut errors);
        match converted {
            Some(t) if errors.is_empty() => out.rows.push((info.line, t)),
            _ => {
                if errors.is_empty() {
                    errors.push("invalid row".to_owned());
                }
                out.rejected.push(RejectedRow {
                    line: info.line,
                    reason: errors.join("; "),
                });
            }
        }
    };
    for (info, mut cells) in pending {
        row(info, &mut cells);
    }
    while let Some(info) = src.next_row(&mut cells)? {
        row(info, &mut cells);
    }
    Ok(out)
}

pub(crate) fn place(cells: &mut Vec<RawCell>, col: usize, cell: RawCell, info: &mut RowInfo) {
    info.columns = info.columns.max(col.saturating_add(1));
    if matches!(cell, RawCell::Empty) {
        return;
    }
    info.width = info.width.max(col.saturating_add(1));
    if col >= MAX_COLUMNS {
        return;
    }
    if cells.len() <= col {
        cells.resize_with(col + 1, || RawCell::Empty);
    }
    cells[col] = cell;
}
pub(crate) fn read_table_csv<T>(
    reader: impl Read,
    schema: &Schema,
    satisfied: &[&str],
    convert: Convert<'_, T>,
) -> Result<TableRows<T>, FileError> {
    let mut src = CsvSource::new(reader)?;
    read_table(&mut src, schema, satisfied, convert)
}

pub(crate) fn read_table_path<T>(
    path: &Path,
    schema: &Schema,
    satisfied: &[&str],
    convert: Convert<'_, T>,
) -> Result<TableRows<T>, FileError> {
    let format = detect_format(path)?;
    if format == Format::Csv {
        let file = File::open(path).map_err(|source| FileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        return read_table_csv(file, schema, satisfied, convert);
    }
    if matches!(
        format,
        Format::Xlsx | Format::Xlsb | Format::Ods | Format::Zip
    ) {
        zip_guard::check(path)?;
    }
    // A malformed workbook must give an error, not abort the import: calamine is not fuzzed
    // against every input, so a panic in it is turned into an error too.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_workbook(path, format, schema, satisfied, convert)
    }));
    result.unwrap_or_else(|_| {
        Err(FileError::Xlsx(format!(
            "{}: malformed workbook",
            path.display()
        )))
    })
}
