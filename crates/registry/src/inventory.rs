//! Camera inventory files: CSV and spreadsheets (XLSX, XLSM, XLSB, XLS, ODS), read row by row
//! and written back, per `docs/spec/inventory-csv.md`.
//!
//! Reading follows the contract and a few additive extensions:
//!
//! * the header row names the columns in any order; a name matches its English key
//!   (`installed_on`, also `installed on`) or its Vietnamese header (`Ngày lắp đặt`),
//!   case-insensitively, with or without Vietnamese diacritics (`Ngay lap dat`), precomposed or
//!   decomposed (NFC or NFD), and also when written with the other name in brackets
//!   (`Đơn vị (org)`, `org (Đơn vị)`);
//! * title rows above the header are skipped: the header is the first of the first 20 non-empty
//!   rows that names at least two known columns (failing that, the first non-empty row);
//! * unknown columns are kept as custom attributes (header as written → value); a column with
//!   an empty header is kept as `column N` (1-based);
//! * CSV: UTF-8 (a BOM is stripped) or UTF-16 with a BOM (Excel's "Unicode text"); the
//!   delimiter (`,`, `;` or tab) is detected from the header line; line numbers are the physical
//!   line where a record starts (the header is line 1 when nothing precedes it);
//! * spreadsheets: the first worksheet; line numbers are the row numbers Excel shows; date
//!   cells become dates, numbers become text without a trailing `.0`;
//! * a row is rejected, with its line number and every reason, when a required value is
//!   missing, an address, MAC or date is invalid, a value is longer than 1,000 characters, or
//!   it has more than 200 columns; every other row is kept; completely empty rows are skipped.
//!
//! Bounds against hostile files: at most 200 columns, 1,000 characters per value, and 1 MiB
//! per CSV record (a longer record is a file-level error, detected before it is buffered).
//!
//! Writing ([`write_inventory`]) emits the English keys of [`COLUMNS`] in order, then the
//! custom attribute columns (sorted), so that reading the file back gives the same records.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::File;
use std::io::{self, BufWriter, Cursor, Read, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// The inventory columns, `(English key, Vietnamese header)`, in export order: the 13 columns
/// of the contract, then the optional extensions (`brand`, `cert_conformity_standard`,
/// `cert_conformity_body`, `cert_conformity_date`).
pub const COLUMNS: &[(&str, &str)] = &[
    ("org", "Đơn vị"),
    ("system", "Hệ thống"),
    ("vendor", "Hãng"),
    ("model", "Model"),
    ("firmware", "Firmware"),
    ("serial", "Số serial"),
    ("mac", "MAC"),
    ("ip", "Địa chỉ IP"),
    ("location", "Vị trí"),
    ("installed_on", "Ngày lắp đặt"),
    ("cert_origin", "Chứng nhận xuất xứ"),
    ("cert_quality", "Chứng nhận chất lượng"),
    ("cert_conformity", "Chứng nhận hợp quy"),
    ("brand", "Thương hiệu"),
    ("cert_conformity_standard", "Quy chuẩn"),
    ("cert_conformity_body", "Tổ chức chứng nhận"),
    ("cert_conformity_date", "Ngày chứng nhận"),
];

/// The columns every inventory file must have (`org` may instead come from a default).
pub const REQUIRED_COLUMNS: &[&str] = &["org", "vendor", "model"];

/// Longest accepted value, in characters.
pub const MAX_VALUE_CHARS: usize = 1000;
/// Most columns a file may have.
pub const MAX_COLUMNS: usize = 200;
/// Longest accepted CSV record, in bytes (quoted line breaks included).
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// How many non-empty rows are searched for the header row.
const HEADER_SEARCH_ROWS: usize = 20;

// Indices into COLUMNS.
const ORG: usize = 0;
const SYSTEM: usize = 1;
const VENDOR: usize = 2;
const MODEL: usize = 3;
const FIRMWARE: usize = 4;
const SERIAL: usize = 5;
const MAC: usize = 6;
const IP: usize = 7;
const LOCATION: usize = 8;
const INSTALLED_ON: usize = 9;
const CERT_ORIGIN: usize = 10;
const CERT_QUALITY: usize = 11;
const CERT_CONFORMITY: usize = 12;
const BRAND: usize = 13;
const CERT_CONFORMITY_STANDARD: usize = 14;
const CERT_CONFORMITY_BODY: usize = 15;
const CERT_CONFORMITY_DATE: usize = 16;

const INVENTORY: Schema = Schema {
    columns: COLUMNS,
    required: REQUIRED_COLUMNS,
};

/// One camera of an inventory file.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CameraRecord {
    pub org: String,
    pub system: Option<String>,
    pub vendor: String,
    pub brand: Option<String>,
    pub model: String,
    pub firmware: Option<String>,
    pub serial: Option<String>,
    /// Normalised lower-case `aa:bb:cc:dd:ee:ff`.
    pub mac: Option<String>,
    pub ip: Option<IpAddr>,
    pub location: Option<String>,
    /// Serialised as `YYYY-MM-DD`.
    #[serde(with = "opt_date")]
    pub installed_on: Option<Date>,
    pub cert_origin: Option<String>,
    pub cert_quality: Option<String>,
    pub cert_conformity: Option<String>,
    /// e.g. `QCVN 135:2024/BTTTT`.
    pub cert_conformity_standard: Option<String>,
    pub cert_conformity_body: Option<String>,
    /// Serialised as `YYYY-MM-DD`.
    #[serde(with = "opt_date")]
    pub cert_conformity_date: Option<Date>,
    /// Unknown columns: header as written → value (empty values are dropped).
    pub attributes: BTreeMap<String, String>,
}

/// A row that was read: where it is in the file and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedRow {
    pub line: usize,
    pub record: CameraRecord,
}

/// A row that was not imported, and why (short English naming the column and value, several
/// reasons joined by `; `).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub line: usize,
    pub reason: String,
}

/// Everything read from an inventory file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryFile {
    pub rows: Vec<ParsedRow>,
    pub rejected: Vec<RejectedRow>,
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
    #[error("missing required column(s): {}", describe_columns(.0))]
    MissingColumns(Vec<String>),
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
fn describe_columns(keys: &[String]) -> String {
    keys.iter()
        .map(|k| {
            let vi = COLUMNS
                .iter()
                .chain(crate::catalogue::CATALOGUE_COLUMNS)
                .find(|(key, _)| key == k)
                .map(|(_, vi)| *vi);
            match vi {
                Some(vi) if vi.to_lowercase() != *k => format!("{k} ({vi})"),
                _ => k.clone(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// Public entry points

/// Reads an inventory file: `.csv`, `.txt` and `.tsv` as CSV; `.xlsx`, `.xlsm`, `.xlsb`, `.xls`
/// and `.ods` as spreadsheets; anything else by its content (a ZIP is a workbook, an OLE
/// compound file an XLS, text is CSV).
///
/// `default_org` fills the organisation of rows whose `org` cell is empty, and stands in for a
/// missing `org` column.
pub fn read_inventory(path: &Path, default_org: Option<&str>) -> Result<InventoryFile, FileError> {
    let default_org = default_org.map(str::trim).filter(|s| !s.is_empty());
    let mut convert = |v: &mut RowValues, e: &mut Vec<String>| to_camera(v, default_org, e);
    let table = read_table_path(path, &INVENTORY, org_satisfied(default_org), &mut convert)?;
    Ok(table.into_inventory())
}

/// Reads an inventory in CSV from any reader (see [`read_inventory`]).
pub fn read_inventory_csv<R: Read>(
    reader: R,
    default_org: Option<&str>,
) -> Result<InventoryFile, FileError> {
    let default_org = default_org.map(str::trim).filter(|s| !s.is_empty());
    let mut convert = |v: &mut RowValues, e: &mut Vec<String>| to_camera(v, default_org, e);
    let table = read_table_csv(reader, &INVENTORY, org_satisfied(default_org), &mut convert)?;
    Ok(table.into_inventory())
}

/// Writes records to `path`: `.xlsx`/`.xlsm` as a workbook, `.tsv` as tab-separated text,
/// other spreadsheet formats (`.xls`, `.xlsb`, `.ods`) refused, anything else as CSV (with a UTF-8 BOM, so that Excel shows Vietnamese text correctly; the
/// reader strips it).
pub fn write_inventory(path: &Path, records: &[CameraRecord]) -> Result<(), FileError> {
    let io_err = |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    };
    match extension(path).as_str() {
        "xlsx" | "xlsm" => write_xlsx(path, records),
        ext @ ("xls" | "xlsb" | "ods" | "xla" | "xlam") => Err(FileError::UnsupportedFormat(
            format!(".{ext} cannot be written; use .xlsx or .csv"),
        )),
        ext => {
            let delimiter = if ext == "tsv" { b'\t' } else { b',' };
            let file = File::create(path).map_err(io_err)?;
            let mut out = BufWriter::new(file);
            out.write_all(b"\xEF\xBB\xBF").map_err(io_err)?;
            write_delimited(&mut out, records, delimiter)?;
            out.flush().map_err(io_err)
        }
    }
}

/// Writes records as CSV (no BOM) to any writer: header of English keys, then custom attribute
/// columns.
pub fn write_inventory_csv<W: Write>(writer: W, records: &[CameraRecord]) -> Result<(), FileError> {
    write_delimited(writer, records, b',')
}

pub use camguard_model::normalize_mac;

/// Parses a date written `YYYY-MM-DD` (also `YYYY/MM/DD`) or `DD/MM/YYYY` (also `D/M/YYYY`,
/// `DD-MM-YYYY`, `DD.MM.YYYY`); day first, as written in Vietnam. Impossible dates
/// (`31/02/2024`) and years outside 1–9999 are rejected.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let sep = s.bytes().find(|b| !b.is_ascii_digit())?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let mut parts = s.split(sep as char);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let num = |p: &str, max_len: usize| -> Option<u32> {
        if p.is_empty() || p.len() > max_len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let (y, m, d) = if a.len() == 4 && sep != b'.' {
        (num(a, 4)?, num(b, 2)?, num(c, 2)?)
    } else if c.len() == 4 {
        (num(c, 4)?, num(b, 2)?, num(a, 2)?)
    } else {
        return None;
    };
    if y == 0 {
        return None;
    }
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

/// A date as `YYYY-MM-DD`, the form every camguard file, table and database uses.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(crate) mod opt_date {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.serialize_some(&super::format_date(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|s| {
            super::parse_date(&s).ok_or_else(|| D::Error::custom(format!("invalid date {s:?}")))
        })
        .transpose()
    }
}

// ---------------------------------------------------------------------------------------------
// Row → CameraRecord

fn org_satisfied(default_org: Option<&str>) -> &'static [&'static str] {
    if default_org.is_some() { &["org"] } else { &[] }
}

fn to_camera(
    v: &mut RowValues,
    default_org: Option<&str>,
    errors: &mut Vec<String>,
) -> Option<CameraRecord> {
    let org = v.text(ORG).or_else(|| default_org.map(str::to_owned));
    if org.is_none() {
        errors.push("org: required value is missing".to_owned());
    }
    let vendor = v.required_text(VENDOR, errors);
    let model = v.required_text(MODEL, errors);
    let mac = v.text(MAC).and_then(|s| match normalize_mac(&s) {
        Some(mac) => Some(mac),
        None => {
            errors.push(format!("mac: {} is not a MAC address", quote(&s)));
            None
        }
    });
    let ip = v.text(IP).and_then(|s| match parse_ip(&s) {
        Some(ip) => Some(ip),
        None => {
            errors.push(format!("ip: {} is not an IP address", quote(&s)));
            None
        }
    });
    let installed_on = v.date(INSTALLED_ON, errors);
    let cert_conformity_date = v.date(CERT_CONFORMITY_DATE, errors);
    let record = CameraRecord {
        org: org?,
        system: v.text(SYSTEM),
        vendor: vendor?,
        brand: v.text(BRAND),
        model: model?,
        firmware: v.text(FIRMWARE),
        serial: v.text(SERIAL),
        mac,
        ip,
        location: v.text(LOCATION),
        installed_on,
        cert_origin: v.text(CERT_ORIGIN),
        cert_quality: v.text(CERT_QUALITY),
        cert_conformity: v.text(CERT_CONFORMITY),
        cert_conformity_standard: v.text(CERT_CONFORMITY_STANDARD),
        cert_conformity_body: v.text(CERT_CONFORMITY_BODY),
        cert_conformity_date,
        attributes: std::mem::take(&mut v.attributes),
    };
    Some(record)
}

/// An IPv4 or IPv6 address; brackets around IPv6 (`[fe80::1]`) are accepted.
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(s);
    s.parse().ok()
}

/// A value quoted for a rejection reason, shortened to 60 characters.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}", format!("{}…", &s[..cut])),
        None => format!("{s:?}"),
    }
}

impl TableRows<CameraRecord> {
    fn into_inventory(self) -> InventoryFile {
        InventoryFile {
            rows: self
                .rows
                .into_iter()
                .map(|(line, record)| ParsedRow { line, record })
                .collect(),
            rejected: self.rejected,
        }
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
fn resolve_header(folded: &[(String, String)], header: &str) -> Option<usize> {
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
// The table engine shared by inventory and catalogue files

/// The columns of a kind of file.
pub(crate) struct Schema {
    pub columns: &'static [(&'static str, &'static str)],
    pub required: &'static [&'static str],
}

impl Schema {
    fn folded(&self) -> Vec<(String, String)> {
        self.columns
            .iter()
            .map(|(en, vi)| (fold(en), fold(vi)))
            .collect()
    }
}

/// A cell as read from a file.
enum RawCell {
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
}

/// One row from a source: its line number and how wide it is (one past its last non-empty
/// cell, counting cells beyond [`MAX_COLUMNS`] that were not kept).
struct RowInfo {
    line: usize,
    width: usize,
}

trait RowSource {
    /// Fills `cells` (at most [`MAX_COLUMNS`], by column index) with the next row.
    fn next_row(&mut self, cells: &mut Vec<RawCell>) -> Result<Option<RowInfo>, FileError>;
}

enum Slot {
    Field(usize),
    Attr(String),
}

fn read_table<T>(
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
        if info.width > MAX_COLUMNS {
            return Err(FileError::TooManyColumns {
                found: info.width,
                limit: MAX_COLUMNS,
            });
        }
        if known(&cells) >= 2 {
            pending.clear();
            header = Some(std::mem::take(&mut cells));
            break;
        }
        pending.push((info, std::mem::take(&mut cells)));
        if pending.len() >= HEADER_SEARCH_ROWS {
            break;
        }
    }
    let header = match header {
        Some(h) => h,
        None if pending.is_empty() => return Err(FileError::NoHeader),
        None => pending.remove(0).1,
    };

    // Columns → slots.
    let mut slots = Vec::with_capacity(header.len());
    let mut seen_field: Vec<Option<String>> = vec![None; schema.columns.len()];
    let mut seen_attr = HashSet::new();
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
        return Err(FileError::MissingColumns(missing));
    }

    // Data rows.
    let mut out = TableRows {
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut row = |info: RowInfo, cells: &mut Vec<RawCell>| {
        if info.width == 0 {
            return;
        }
        let mut errors = Vec::new();
        if info.width > MAX_COLUMNS {
            errors.push(format!(
                "the row has {} columns; at most {MAX_COLUMNS} are allowed",
                info.width
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

fn place(cells: &mut Vec<RawCell>, col: usize, cell: RawCell, width: &mut usize) {
    if matches!(cell, RawCell::Empty) {
        return;
    }
    *width = (*width).max(col.saturating_add(1));
    if col >= MAX_COLUMNS {
        return;
    }
    if cells.len() <= col {
        cells.resize_with(col + 1, || RawCell::Empty);
    }
    cells[col] = cell;
}

// ---------------------------------------------------------------------------------------------
// CSV source

struct CsvSource<'a> {
    reader: csv::Reader<RecordGuard<Box<dyn Read + 'a>>>,
    record: csv::ByteRecord,
}

impl<'a> CsvSource<'a> {
    fn new(reader: impl Read + 'a) -> Result<Self, FileError> {
        let (text, delimiter) = open_text(Box::new(reader))?;
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(RecordGuard::new(text, delimiter));
        Ok(CsvSource {
            reader,
            record: csv::ByteRecord::new(),
        })
    }
}

impl RowSource for CsvSource<'_> {
    fn next_row(&mut self, cells: &mut Vec<RawCell>) -> Result<Option<RowInfo>, FileError> {
        cells.clear();
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(csv_error(e)),
        }
        // csv's own line count skips blank lines and counts CRLF oddly; the guard saw where
        // each record starts.
        let line = self.reader.get_mut().record_starts.pop_front().unwrap_or(0);
        let mut width = 0;
        for (i, field) in self.record.iter().enumerate() {
            let cell = match std::str::from_utf8(field) {
                Ok(s) => {
                    let s = s.trim();
                    if s.is_empty() {
                        continue;
                    }
                    RawCell::Text(s.to_owned())
                }
                Err(_) => RawCell::Bad("not valid UTF-8 text".to_owned()),
            };
            place(cells, i, cell, &mut width);
        }
        Ok(Some(RowInfo { line, width }))
    }
}

fn csv_error(e: csv::Error) -> FileError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => {
            if let Some(t) = io.get_ref().and_then(|r| r.downcast_ref::<TooLong>()) {
                FileError::RecordTooLong {
                    line: t.line,
                    limit: MAX_RECORD_BYTES,
                }
            } else {
                FileError::Csv(format!("read error: {io}"))
            }
        }
        kind => match line {
            Some(line) => FileError::Csv(format!("line {line}: {kind:?}")),
            None => FileError::Csv(format!("{kind:?}")),
        },
    }
}

/// Reads up to `n` bytes (fewer only at the end of input).
fn read_prefix(r: &mut dyn Read, n: usize) -> Result<Vec<u8>, FileError> {
    let mut buf = Vec::with_capacity(n.min(64 * 1024));
    r.take(n as u64)
        .read_to_end(&mut buf)
        .map_err(|e| FileError::Csv(format!("read error: {e}")))?;
    Ok(buf)
}

/// Decodes the start of a text file: UTF-8 (BOM stripped) or UTF-16 with a BOM; refuses
/// binary data; detects the delimiter. Returns UTF-8 text.
fn open_text<'a>(mut r: Box<dyn Read + 'a>) -> Result<(Box<dyn Read + 'a>, u8), FileError> {
    let head = read_prefix(&mut r, 3)?;
    let mut text: Box<dyn Read + 'a> = if let Some(rest) = head.strip_prefix(b"\xFF\xFE") {
        Box::new(Utf16Reader::new(Cursor::new(rest.to_vec()).chain(r), false))
    } else if let Some(rest) = head.strip_prefix(b"\xFE\xFF") {
        Box::new(Utf16Reader::new(Cursor::new(rest.to_vec()).chain(r), true))
    } else if head == b"\xEF\xBB\xBF" {
        r
    } else {
        Box::new(Cursor::new(head).chain(r))
    };
    let prefix = read_prefix(&mut text, 64 * 1024)?;
    if prefix.contains(&0) {
        return Err(FileError::UnsupportedFormat(
            "binary data, not CSV text".to_owned(),
        ));
    }
    let delimiter = detect_delimiter(&prefix);
    Ok((Box::new(Cursor::new(prefix).chain(text)), delimiter))
}

/// `,`, `;` or tab: the most frequent (outside quotes) in the first line that has any; `,`
/// when none does.
fn detect_delimiter(text: &[u8]) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in text {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted && counts.iter().any(|&c| c > 0) => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    CANDIDATES[best]
}

/// The error a [`RecordGuard`] raises.
#[derive(Debug)]
struct TooLong {
    line: usize,
}

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "record starting at line {} is too long", self.line)
    }
}

impl std::error::Error for TooLong {}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Passes bytes through while following CSV quoting, and fails once a record grows beyond
/// [`MAX_RECORD_BYTES`], before the CSV reader buffers it.
///
/// It also notes the physical line on which each record starts (the first byte of a record
/// that is not a line break: the CSV reader skips blank lines), for the CSV source to take in
/// order.
struct RecordGuard<R> {
    inner: R,
    delimiter: u8,
    state: QuoteState,
    record_bytes: usize,
    line: usize,
    record_line: usize,
    at_record_start: bool,
    record_starts: std::collections::VecDeque<usize>,
}

impl<R> RecordGuard<R> {
    fn new(inner: R, delimiter: u8) -> Self {
        RecordGuard {
            inner,
            delimiter,
            state: QuoteState::FieldStart,
            record_bytes: 0,
            line: 1,
            record_line: 1,
            at_record_start: true,
            record_starts: std::collections::VecDeque::new(),
        }
    }
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            use QuoteState::*;
            if self.at_record_start && b != b'\n' && b != b'\r' {
                self.at_record_start = false;
                self.record_line = self.line;
                self.record_starts.push_back(self.line);
            }
            let end_of_record = match (self.state, b) {
                (Quoted, b'"') => {
                    self.state = QuoteInQuoted;
                    false
                }
                (Quoted, _) => false,
                (QuoteInQuoted, b'"') => {
                    self.state = Quoted;
                    false
                }
                (FieldStart, b'"') => {
                    self.state = Quoted;
                    false
                }
                (_, b'\n' | b'\r') => true,
                (_, d) if d == self.delimiter => {
                    self.state = FieldStart;
                    false
                }
                _ => {
                    self.state = Unquoted;
                    false
                }
            };
            if b == b'\n' {
                self.line += 1;
            }
            if end_of_record {
                self.state = FieldStart;
                self.record_bytes = 0;
                self.at_record_start = true;
            } else {
                self.record_bytes += 1;
                if self.record_bytes > MAX_RECORD_BYTES {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        TooLong {
                            line: self.record_line,
                        },
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// UTF-16 (after its BOM) → UTF-8; unpaired surrogates become U+FFFD.
struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    out: Vec<u8>,
    pos: usize,
    odd: Option<u8>,
    high: Option<u16>,
    eof: bool,
}

impl<R> Utf16Reader<R> {
    fn new(inner: R, big_endian: bool) -> Self {
        Utf16Reader {
            inner,
            big_endian,
            out: Vec::new(),
            pos: 0,
            odd: None,
            high: None,
            eof: false,
        }
    }

    fn push(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }

    fn unit(&mut self, u: u16) {
        if let Some(h) = self.high.take() {
            if (0xDC00..0xE000).contains(&u) {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                self.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                return;
            }
            self.push('\u{FFFD}');
        }
        if (0xD800..0xDC00).contains(&u) {
            self.high = Some(u);
        } else {
            self.push(char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'));
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.pos);
                buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.eof {
                return Ok(0);
            }
            self.out.clear();
            self.pos = 0;
            let mut raw = [0u8; 8192];
            let n = self.inner.read(&mut raw)?;
            if n == 0 {
                self.eof = true;
                if self.odd.take().is_some() || self.high.take().is_some() {
                    self.push('\u{FFFD}');
                }
                continue;
            }
            for &b in &raw[..n] {
                match self.odd.take() {
                    None => self.odd = Some(b),
                    Some(a) => {
                        let u = if self.big_endian {
                            u16::from_be_bytes([a, b])
                        } else {
                            u16::from_le_bytes([a, b])
                        };
                        self.unit(u);
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Spreadsheet source

/// A cell of a worksheet at `(row, column)`, both 0-based.
type PlacedCell = ((u32, u32), RawCell);

/// A source over a stream of `((row, col), cell)` in row order, grouping cells into rows.
struct GridSource<F> {
    next: F,
    peeked: Option<PlacedCell>,
    done: bool,
}

impl<F> GridSource<F>
where
    F: FnMut() -> Result<Option<PlacedCell>, FileError>,
{
    fn new(next: F) -> Self {
        GridSource {
            next,
            peeked: None,
            done: false,
        }
    }

    /// The next cell; `None` for ever once the stream has ended.
    fn pull(&mut self) -> Result<Option<PlacedCell>, FileError> {
        if self.done {
            return Ok(None);
        }
        let next = (self.next)()?;
        self.done = next.is_none();
        Ok(next)
    }
}

impl<F> RowSource for GridSource<F>
where
    F: FnMut() -> Result<Option<PlacedCell>, FileError>,
{
    fn next_row(&mut self, cells: &mut Vec<RawCell>) -> Result<Option<RowInfo>, FileError> {
        cells.clear();
        let first = match self.peeked.take() {
            Some(c) => c,
            None => match self.pull()? {
                Some(c) => c,
                None => return Ok(None),
            },
        };
        let row = first.0.0;
        let mut width = 0;
        let mut current = Some(first);
        while let Some(((r, c), cell)) = current {
            if r != row {
                self.peeked = Some(((r, c), cell));
                break;
            }
            place(cells, c as usize, cell, &mut width);
            current = self.pull()?;
        }
        Ok(Some(RowInfo {
            line: row as usize + 1,
            width,
        }))
    }
}

/// calamine's cell value, borrowed.
enum SheetValue<'a> {
    Int(i64),
    Float(f64),
    Str(&'a str),
    Bool(bool),
    DateTime(calamine::ExcelDateTime),
    Iso(&'a str),
    Error(String),
    Empty,
}

impl<'a> From<&'a calamine::Data> for SheetValue<'a> {
    fn from(d: &'a calamine::Data) -> Self {
        use calamine::Data;
        match d {
            Data::Int(i) => SheetValue::Int(*i),
            Data::Float(f) => SheetValue::Float(*f),
            Data::String(s) => SheetValue::Str(s),
            Data::Bool(b) => SheetValue::Bool(*b),
            Data::DateTime(dt) => SheetValue::DateTime(*dt),
            Data::DateTimeIso(s) | Data::DurationIso(s) => SheetValue::Iso(s),
            Data::Error(e) => SheetValue::Error(e.to_string()),
            Data::Empty => SheetValue::Empty,
        }
    }
}

impl<'a> From<&'a calamine::DataRef<'_>> for SheetValue<'a> {
    fn from(d: &'a calamine::DataRef<'_>) -> Self {
        use calamine::DataRef;
        match d {
            DataRef::Int(i) => SheetValue::Int(*i),
            DataRef::Float(f) => SheetValue::Float(*f),
            DataRef::String(s) => SheetValue::Str(s),
            DataRef::SharedString(s) => SheetValue::Str(s),
            DataRef::Bool(b) => SheetValue::Bool(*b),
            DataRef::DateTime(dt) => SheetValue::DateTime(*dt),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => SheetValue::Iso(s),
            DataRef::Error(e) => SheetValue::Error(e.to_string()),
            DataRef::Empty => SheetValue::Empty,
        }
    }
}

fn sheet_cell(v: SheetValue<'_>) -> RawCell {
    let text = |s: String| {
        let t = s.trim();
        if t.is_empty() {
            RawCell::Empty
        } else if t.len() == s.len() {
            RawCell::Text(s)
        } else {
            RawCell::Text(t.to_owned())
        }
    };
    match v {
        SheetValue::Empty => RawCell::Empty,
        SheetValue::Str(s) => text(s.to_owned()),
        SheetValue::Int(i) => RawCell::Text(i.to_string()),
        SheetValue::Float(f) => RawCell::Text(format_number(f)),
        SheetValue::Bool(b) => RawCell::Text(if b { "TRUE" } else { "FALSE" }.to_owned()),
        SheetValue::Error(e) => RawCell::Bad(format!("the cell holds the error {e}")),
        SheetValue::Iso(s) => match s.get(..10).and_then(parse_iso_date) {
            Some(d) => RawCell::Date(d),
            None => text(s.to_owned()),
        },
        SheetValue::DateTime(dt) => {
            if dt.is_datetime() && dt.as_f64() >= 1.0 {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                let date = Month::try_from(m)
                    .ok()
                    .and_then(|m| Date::from_calendar_date(i32::from(y), m, d).ok());
                match date {
                    Some(date) => RawCell::Date(date),
                    None => RawCell::Bad(format!("{} is not a valid date", dt.as_f64())),
                }
            } else {
                RawCell::Text(format_number(dt.as_f64()))
            }
        }
    }
}

/// Strict `YYYY-MM-DD`.
fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        parse_date(s)
    } else {
        None
    }
}

/// A number as a spreadsheet shows it by default: `12345678`, not `12345678.0`.
fn format_number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Csv,
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    /// A ZIP of unknown kind: XLSX, else ODS.
    Zip,
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn detect_format(path: &Path) -> Result<Format, FileError> {
    let mut magic = Vec::with_capacity(8);
    File::open(path)
        .and_then(|f| f.take(8).read_to_end(&mut magic))
        .map_err(|source| FileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let ext = extension(path);
    let zip = magic.starts_with(b"PK\x03\x04");
    let ole = magic.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    Ok(match ext.as_str() {
        "xlsx" | "xlsm" | "xlam" => Format::Xlsx,
        "xlsb" => Format::Xlsb,
        "ods" => Format::Ods,
        "xls" | "xla" => Format::Xls,
        _ if zip => Format::Zip,
        _ if ole => Format::Xls,
        _ => Format::Csv,
    })
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

fn read_workbook<T>(
    path: &Path,
    format: Format,
    schema: &Schema,
    satisfied: &[&str],
    convert: Convert<'_, T>,
) -> Result<TableRows<T>, FileError> {
    use calamine::{Ods, Reader, Xls, Xlsb, Xlsx, open_workbook};
    let err = |e: &dyn std::fmt::Display| FileError::Xlsx(format!("{}: {e}", path.display()));
    let no_sheet = || FileError::Xlsx(format!("{}: the workbook has no worksheet", path.display()));
    let format = if format == Format::Zip {
        if open_workbook::<Xlsx<_>, _>(path).is_ok() {
            Format::Xlsx
        } else {
            Format::Ods
        }
    } else {
        format
    };
    match format {
        Format::Xlsx => {
            let mut wb: Xlsx<_> = open_workbook(path).map_err(|e| err(&e))?;
            let name = wb.sheet_names().first().cloned().ok_or_else(no_sheet)?;
            let mut cells = wb.worksheet_cells_reader(&name).map_err(|e| err(&e))?;
            let mut src = GridSource::new(|| match cells.next_cell() {
                Ok(Some(c)) => Ok(Some((c.get_position(), sheet_cell(c.get_value().into())))),
                Ok(None) => Ok(None),
                Err(e) => Err(err(&e)),
            });
            read_table(&mut src, schema, satisfied, convert)
        }
        Format::Xlsb => {
            let mut wb: Xlsb<_> = open_workbook(path).map_err(|e| err(&e))?;
            let name = wb.sheet_names().first().cloned().ok_or_else(no_sheet)?;
            let mut cells = wb.worksheet_cells_reader(&name).map_err(|e| err(&e))?;
            let mut src = GridSource::new(|| match cells.next_cell() {
                Ok(Some(c)) => Ok(Some((c.get_position(), sheet_cell(c.get_value().into())))),
                Ok(None) => Ok(None),
                Err(e) => Err(err(&e)),
            });
            read_table(&mut src, schema, satisfied, convert)
        }
        _ => {
            let range = if format == Format::Xls {
                let mut wb: Xls<_> = open_workbook(path).map_err(|e| err(&e))?;
                wb.worksheet_range_at(0)
                    .ok_or_else(no_sheet)?
                    .map_err(|e| err(&e))?
            } else {
                let mut wb: Ods<_> = open_workbook(path).map_err(|e| err(&e))?;
                wb.worksheet_range_at(0)
                    .ok_or_else(no_sheet)?
                    .map_err(|e| err(&e))?
            };
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let mut used = range.used_cells();
            let mut src = GridSource::new(|| {
                Ok(used.next().map(|(r, c, d)| {
                    let pos = (
                        r0.saturating_add(u32::try_from(r).unwrap_or(u32::MAX)),
                        c0.saturating_add(u32::try_from(c).unwrap_or(u32::MAX)),
                    );
                    (pos, sheet_cell(d.into()))
                }))
            });
            read_table(&mut src, schema, satisfied, convert)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

enum Out<'a> {
    Empty,
    Text(&'a str),
    Owned(String),
    Date(Date),
}

/// The attribute columns of `records` (sorted), after checking that each reads back as an
/// attribute.
fn attribute_columns(records: &[CameraRecord]) -> Result<Vec<&str>, FileError> {
    let keys: BTreeSet<&str> = records
        .iter()
        .flat_map(|r| r.attributes.keys().map(String::as_str))
        .collect();
    let folded = INVENTORY.folded();
    let bad = |key: &str, reason: &str| FileError::BadAttribute {
        key: key.to_owned(),
        reason: reason.to_owned(),
    };
    for key in &keys {
        if key.trim().is_empty() {
            return Err(bad(key, "the name is empty"));
        }
        if key.trim() != *key {
            return Err(bad(key, "the name starts or ends with white space"));
        }
        if resolve_header(&folded, key).is_some() {
            return Err(bad(key, "the name is that of an inventory column"));
        }
    }
    if COLUMNS.len() + keys.len() > MAX_COLUMNS {
        return Err(FileError::TooManyColumns {
            found: COLUMNS.len() + keys.len(),
            limit: MAX_COLUMNS,
        });
    }
    Ok(keys.into_iter().collect())
}

fn export_row<'a>(r: &'a CameraRecord, attrs: &[&str]) -> Vec<Out<'a>> {
    let text = |s: &'a Option<String>| s.as_deref().map_or(Out::Empty, Out::Text);
    let date = |d: &Option<Date>| d.map_or(Out::Empty, Out::Date);
    let mut row = vec![
        Out::Text(&r.org),
        text(&r.system),
        Out::Text(&r.vendor),
        Out::Text(&r.model),
        text(&r.firmware),
        text(&r.serial),
        text(&r.mac),
        r.ip.map_or(Out::Empty, |ip| Out::Owned(ip.to_string())),
        text(&r.location),
        date(&r.installed_on),
        text(&r.cert_origin),
        text(&r.cert_quality),
        text(&r.cert_conformity),
        text(&r.brand),
        text(&r.cert_conformity_standard),
        text(&r.cert_conformity_body),
        date(&r.cert_conformity_date),
    ];
    debug_assert_eq!(row.len(), COLUMNS.len());
    row.extend(
        attrs
            .iter()
            .map(|k| r.attributes.get(*k).map_or(Out::Empty, |v| Out::Text(v))),
    );
    row
}

fn write_delimited<W: Write>(
    writer: W,
    records: &[CameraRecord],
    delimiter: u8,
) -> Result<(), FileError> {
    let attrs = attribute_columns(records)?;
    let csv_err = |e: csv::Error| FileError::Csv(format!("write error: {e}"));
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(writer);
    let header: Vec<&str> = COLUMNS
        .iter()
        .map(|(k, _)| *k)
        .chain(attrs.iter().copied())
        .collect();
    w.write_record(&header).map_err(csv_err)?;
    let mut line: Vec<String> = Vec::with_capacity(header.len());
    for r in records {
        line.clear();
        line.extend(export_row(r, &attrs).into_iter().map(|o| match o {
            Out::Empty => String::new(),
            Out::Text(s) => s.to_owned(),
            Out::Owned(s) => s,
            Out::Date(d) => format_date(d),
        }));
        w.write_record(&line).map_err(csv_err)?;
    }
    w.flush()
        .map_err(|e| FileError::Csv(format!("write error: {e}")))
}

fn write_xlsx(path: &Path, records: &[CameraRecord]) -> Result<(), FileError> {
    use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};
    let attrs = attribute_columns(records)?;
    let err = |e: rust_xlsxwriter::XlsxError| FileError::Xlsx(format!("{}: {e}", path.display()));
    let rows = u32::try_from(records.len())
        .ok()
        .filter(|&n| n < 1_048_576)
        .ok_or_else(|| {
            FileError::Xlsx(format!(
                "{} records do not fit in one worksheet",
                records.len()
            ))
        })?;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Cameras").map_err(err)?;
    let bold = CellFormat::new().set_bold();
    let date_format = CellFormat::new().set_num_format("yyyy-mm-dd");
    let header: Vec<&str> = COLUMNS
        .iter()
        .map(|(k, _)| *k)
        .chain(attrs.iter().copied())
        .collect();
    for (c, h) in header.iter().enumerate() {
        let c = c as u16; // at most MAX_COLUMNS
        ws.write_string_with_format(0, c, *h, &bold).map_err(err)?;
        ws.set_column_width(c, 18).map_err(err)?;
    }
    // Excel's serial dates are unreliable before 1900-03-01 (the 1900 leap-year bug).
    let first_excel_date = Date::from_calendar_date(1900, Month::March, 1).unwrap_or(Date::MIN);
    for (i, r) in records.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, cell) in export_row(r, &attrs).into_iter().enumerate() {
            let c = c as u16;
            match cell {
                Out::Empty => {}
                Out::Text(s) => {
                    ws.write_string(row, c, s).map_err(err)?;
                }
                Out::Owned(s) => {
                    ws.write_string(row, c, s).map_err(err)?;
                }
                Out::Date(d) if d >= first_excel_date && d.year() <= 9999 => {
                    let dt = ExcelDateTime::from_ymd(d.year() as u16, u8::from(d.month()), d.day())
                        .map_err(err)?;
                    ws.write_date_with_format(row, c, &dt, &date_format)
                        .map_err(err)?;
                }
                Out::Date(d) => {
                    ws.write_string(row, c, format_date(d)).map_err(err)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    ws.autofilter(0, 0, rows, (header.len() - 1) as u16)
        .map_err(err)?;
    wb.save(path).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u8, d: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap()
    }

    fn csv(text: &str) -> InventoryFile {
        read_inventory_csv(text.as_bytes(), None).unwrap()
    }

    fn csv_err(text: &str) -> FileError {
        read_inventory_csv(text.as_bytes(), None).unwrap_err()
    }

    fn lines(f: &InventoryFile) -> Vec<usize> {
        f.rows.iter().map(|r| r.line).collect()
    }

    fn rejected(f: &InventoryFile) -> Vec<(usize, &str)> {
        f.rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect()
    }

    fn full_record() -> CameraRecord {
        CameraRecord {
            org: "UBND tỉnh A".into(),
            system: Some("Giám sát giao thông".into()),
            vendor: "Hikvision".into(),
            brand: Some("HiLook".into()),
            model: "DS-2CD2143G2-I".into(),
            firmware: Some("V5.7.3 build 220112".into()),
            serial: Some("0123456789".into()),
            mac: Some("aa:bb:cc:dd:ee:ff".into()),
            ip: Some("10.1.2.3".parse().unwrap()),
            location: Some("Cổng chính, tầng 1".into()),
            installed_on: Some(date(2023, 8, 15)),
            cert_origin: Some("CO-123".into()),
            cert_quality: Some("CQ-456".into()),
            cert_conformity: Some("HQ-789".into()),
            cert_conformity_standard: Some("QCVN 135:2024/BTTTT".into()),
            cert_conformity_body: Some("Trung tâm Kiểm định".into()),
            cert_conformity_date: Some(date(2024, 12, 31)),
            attributes: BTreeMap::from([("Ghi chú".to_owned(), "mới thay".to_owned())]),
        }
    }

    #[test]
    fn english_header_in_any_order() {
        let f = csv(
            "cert_conformity_date,ip,model,MAC,Vendor,ORG,installed_on,serial,firmware,location,\
             system,cert_origin,cert_quality,cert_conformity,brand,cert_conformity_standard,\
             cert_conformity_body,Ghi chú\n\
             31/12/2024,10.1.2.3,DS-2CD2143G2-I,AA-BB-CC-DD-EE-FF,Hikvision,UBND tỉnh A,\
             2023-08-15,0123456789,V5.7.3 build 220112,\"Cổng chính, tầng 1\",Giám sát giao thông,\
             CO-123,CQ-456,HQ-789,HiLook,QCVN 135:2024/BTTTT,Trung tâm Kiểm định,mới thay\n",
        );
        assert!(f.rejected.is_empty(), "{:?}", f.rejected);
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.rows[0].line, 2);
        assert_eq!(f.rows[0].record, full_record());
    }

    #[test]
    fn vietnamese_header() {
        let header: Vec<&str> = COLUMNS.iter().map(|(_, vi)| *vi).collect();
        let text = format!(
            "{}\nUBND tỉnh A,Giám sát giao thông,Hikvision,DS-2CD2143G2-I,V5.7.3 build 220112,\
             0123456789,aabb.ccdd.eeff,10.1.2.3,\"Cổng chính, tầng 1\",15/08/2023,CO-123,CQ-456,\
             HQ-789,HiLook,QCVN 135:2024/BTTTT,Trung tâm Kiểm định,2024-12-31\n",
            header.join(",")
        );
        let f = csv(&text);
        assert!(f.rejected.is_empty(), "{:?}", f.rejected);
        let mut expected = full_record();
        expected.attributes.clear();
        assert_eq!(f.rows[0].record, expected);
    }

    #[test]
    fn header_spellings() {
        // Both names, either way round; upper case; no diacritics; decomposed (NFD) text;
        // spaces for underscores; extra white space.
        let f = csv(
            "Đơn vị (org),vendor (Hãng),  MODEL ,Ngay lap dat,Đi\u{0323}a chi\u{0309} IP,\
             Installed On X,cert origin,ĐỊA CHỈ IP2\n\
             A,Hik,M1,01/02/2024,10.0.0.1,x,CO,y\n",
        );
        assert!(f.rejected.is_empty(), "{:?}", f.rejected);
        let r = &f.rows[0].record;
        assert_eq!(
            (r.org.as_str(), r.vendor.as_str(), r.model.as_str()),
            ("A", "Hik", "M1")
        );
        assert_eq!(r.installed_on, Some(date(2024, 2, 1)));
        assert_eq!(r.ip, Some("10.0.0.1".parse().unwrap()));
        assert_eq!(r.cert_origin.as_deref(), Some("CO"));
        assert_eq!(
            r.attributes,
            BTreeMap::from([
                ("Installed On X".to_owned(), "x".to_owned()),
                ("ĐỊA CHỈ IP2".to_owned(), "y".to_owned()),
            ])
        );
    }

    #[test]
    fn fold_strips_vietnamese_diacritics() {
        assert_eq!(
            fold("ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"),
            "aaaaaaaaaaaaeeeeeeeeiioooooooooooouuuuuuuyyyy"
        );
        assert_eq!(fold("  Ngày   lắp_đặt "), "ngay lap dat");
        assert_eq!(fold("ĐƠN VỊ"), fold("đơn vị"));
        assert_eq!(fold("Hãng"), fold("Ha\u{0303}ng"));
        assert_eq!(fold("Chứng nhận hợp quy"), "chung nhan hop quy");
    }

    #[test]
    fn bom_semicolon_and_tab() {
        let f = csv("\u{FEFF}org;vendor;model;Vị trí\nA;Hik;M;\"Tầng 2; phòng 3\"\n");
        assert!(f.rejected.is_empty());
        assert_eq!(f.rows[0].record.org, "A");
        assert_eq!(
            f.rows[0].record.location.as_deref(),
            Some("Tầng 2; phòng 3")
        );

        let f = csv("org\tvendor\tmodel\nA\tHik,Inc\tM\n");
        assert_eq!(f.rows[0].record.vendor, "Hik,Inc");

        // The delimiter is taken from the first line that has one (a title line has none).
        let f = csv("DANH SÁCH CAMERA\norg;vendor;model\nA;Hik;M\n");
        assert_eq!(lines(&f), vec![3]);
        assert_eq!(f.rows[0].record.model, "M");
    }

    #[test]
    fn utf16_text_with_bom() {
        let text = "Đơn vị\tHãng\tModel\r\nSở A\tHikvision\tDS-1\r\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let f = read_inventory_csv(le.as_slice(), None).unwrap();
        assert_eq!(f.rows[0].record.org, "Sở A");
        assert_eq!(f.rows[0].line, 2);
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let g = read_inventory_csv(be.as_slice(), None).unwrap();
        assert_eq!(f, g);
    }

    #[test]
    fn every_rejection_reason_with_line_numbers() {
        let text = "org,vendor,model,ip,mac,installed_on,note,Ngày chứng nhận\n\
                    A,Hikvision,DS-1,10.0.0.1,aa:bb:cc:dd:ee:ff,2024-01-31,\"multi\n\
                    line\n\
                    note\",\n\
                    A,Hikvision,DS-2,10.0.0.300,,,,\n\
                    \n\
                    A,,DS-3,,,,,\n\
                    ,Dahua,X,,,,,\n\
                    A,Dahua,X,,zz:11,,,\n\
                    A,Dahua,X,,,31/02/2024,,\n\
                    ,,,,,,,\n\
                    A,Dahua,X,::1,AABB.CCDD.EEFF,5/1/2024,,\n\
                    A,Dahua,\"\",bad ip,bad mac,2024-13-01,,yesterday\n\
                    A,Dahua,X,,,,,,surplus\n";
        let f = csv(text);
        assert_eq!(lines(&f), vec![2, 12, 14]);
        assert_eq!(
            f.rows[0].record.attributes["note"], "multi\nline\nnote",
            "quoted line breaks are kept"
        );
        let second = &f.rows[1].record;
        assert_eq!(second.ip, Some("::1".parse().unwrap()));
        assert_eq!(second.mac.as_deref(), Some("aa:bb:cc:dd:ee:ff"));
        assert_eq!(second.installed_on, Some(date(2024, 1, 5)));
        assert_eq!(
            f.rows[2].record.attributes,
            BTreeMap::from([("column 9".to_owned(), "surplus".to_owned())])
        );
        assert_eq!(
            rejected(&f),
            vec![
                (5, "ip: \"10.0.0.300\" is not an IP address"),
                (7, "vendor: required value is missing"),
                (8, "org: required value is missing"),
                (9, "mac: \"zz:11\" is not a MAC address"),
                (
                    10,
                    "installed_on: \"31/02/2024\" is not a date (YYYY-MM-DD or DD/MM/YYYY)"
                ),
                (
                    13,
                    "model: required value is missing; mac: \"bad mac\" is not a MAC address; \
                     ip: \"bad ip\" is not an IP address; installed_on: \"2024-13-01\" is not a \
                     date (YYYY-MM-DD or DD/MM/YYYY); cert_conformity_date: \"yesterday\" is not \
                     a date (YYYY-MM-DD or DD/MM/YYYY)"
                ),
            ]
        );
    }

    #[test]
    fn crlf_line_numbers() {
        let f = csv("org,vendor,model\r\nA,B,\"C\r\nD\"\r\n\r\nA,,C\r\n");
        assert_eq!(lines(&f), vec![2]);
        assert_eq!(f.rows[0].record.model, "C\r\nD");
        assert_eq!(rejected(&f), vec![(5, "vendor: required value is missing")]);
    }

    #[test]
    fn default_org_and_missing_columns() {
        let f = read_inventory_csv("vendor,model\nHik,M\n".as_bytes(), Some(" Sở A ")).unwrap();
        assert_eq!(f.rows[0].record.org, "Sở A");

        let f = read_inventory_csv("org,vendor,model\n,Hik,M\nB,Hik,M\n".as_bytes(), Some("A"))
            .unwrap();
        let orgs: Vec<&str> = f.rows.iter().map(|r| r.record.org.as_str()).collect();
        assert_eq!(orgs, vec!["A", "B"]);

        match csv_err("vendor,model\nHik,M\n") {
            FileError::MissingColumns(m) => assert_eq!(m, vec!["org"]),
            e => panic!("{e}"),
        }
        match read_inventory_csv("vendor,model\nHik,M\n".as_bytes(), Some("  ")) {
            Err(FileError::MissingColumns(m)) => assert_eq!(m, vec!["org"]),
            other => panic!("{other:?}"),
        }
        let e = csv_err("Đơn vị,Firmware,IP\nA,1,\n");
        match &e {
            FileError::MissingColumns(m) => assert_eq!(m, &["vendor", "model"]),
            e => panic!("{e}"),
        }
        assert_eq!(
            e.to_string(),
            "missing required column(s): vendor (Hãng), model"
        );
        assert!(matches!(csv_err(""), FileError::NoHeader));
        assert!(matches!(csv_err("\n\n,,,\n"), FileError::NoHeader));
    }

    #[test]
    fn custom_attributes() {
        let f = csv("STT,org,vendor,model,Ghi chú,,Ghi chú,Tầng\n\
             1,A,Hik,M,note,x,second,\n\
             2,A,Hik,M,,,,\n");
        assert!(f.rejected.is_empty());
        assert_eq!(
            f.rows[0].record.attributes,
            BTreeMap::from([
                ("STT".to_owned(), "1".to_owned()),
                ("Ghi chú".to_owned(), "note".to_owned()),
                ("column 6".to_owned(), "x".to_owned()),
                ("Ghi chú (2)".to_owned(), "second".to_owned()),
            ])
        );
        assert_eq!(
            f.rows[1].record.attributes,
            BTreeMap::from([("STT".to_owned(), "2".to_owned())])
        );
    }

    #[test]
    fn duplicate_known_column_is_an_error() {
        match csv_err("org,vendor,model,IP,Địa chỉ IP\nA,B,C,,\n") {
            FileError::DuplicateColumn {
                column,
                first,
                second,
            } => {
                assert_eq!(column, "ip");
                assert_eq!(first, "IP");
                assert_eq!(second, "Địa chỉ IP");
            }
            e => panic!("{e}"),
        }
    }

    #[test]
    fn title_rows_above_the_header() {
        let f = csv("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM,,\n\
             DANH SÁCH CAMERA,,\n\
             ,,\n\
             Đơn vị,Hãng,Model\n\
             A,Hik,M\n");
        assert_eq!(lines(&f), vec![5]);
        assert!(f.rejected.is_empty());
    }

    #[test]
    fn values_are_trimmed_and_cells_can_be_sparse() {
        let f = csv("org,vendor,model,system\n  A \u{a0}, Hik ,M\n");
        let r = &f.rows[0].record;
        assert_eq!((r.org.as_str(), r.vendor.as_str()), ("A", "Hik"));
        assert_eq!(r.system, None);
    }

    #[test]
    fn dates() {
        for (input, out) in [
            ("2024-01-31", Some((2024, 1, 31))),
            ("31/01/2024", Some((2024, 1, 31))),
            ("5/1/2024", Some((2024, 1, 5))),
            ("05-01-2024", Some((2024, 1, 5))),
            ("05.01.2024", Some((2024, 1, 5))),
            ("2024/1/5", Some((2024, 1, 5))),
            (" 29/02/2024 ", Some((2024, 2, 29))),
            ("29/02/2023", None),
            ("31/02/2024", None),
            ("2024-13-01", None),
            ("2024-00-10", None),
            ("00/01/2024", None),
            ("0000-01-01", None),
            ("2024-01", None),
            ("2024-01-01-01", None),
            ("24-01-01", None),
            ("01/01/24", None),
            ("2024.01.05", None),
            ("2024-1-5x", None),
            ("+2024-01-05", None),
            ("2024-01-05T00:00", None),
            ("", None),
            ("yesterday", None),
        ] {
            assert_eq!(
                parse_date(input),
                out.map(|(y, m, d)| date(y, m, d)),
                "{input:?}"
            );
        }
    }

    #[test]
    fn ips() {
        let f = csv(
            "org,vendor,model,ip\nA,B,C,192.168.1.10\nA,B,C,fe80::1\nA,B,C,[2001:db8::1]\n\
             A,B,C,192.168.001.010\nA,B,C,fe80::1%eth0\n",
        );
        let ips: Vec<String> = f
            .rows
            .iter()
            .map(|r| r.record.ip.unwrap().to_string())
            .collect();
        assert_eq!(ips, vec!["192.168.1.10", "fe80::1", "2001:db8::1"]);
        assert_eq!(
            f.rejected.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![5, 6]
        );
    }

    // -- hostile input -------------------------------------------------------------------------

    #[test]
    fn long_value_rejects_the_row() {
        let long = "x".repeat(5000);
        let text = format!("org,vendor,model,Ghi chú\nA,B,C,{long}\nA,B,C,ok\n");
        let f = csv(&text);
        assert_eq!(lines(&f), vec![3]);
        assert_eq!(
            rejected(&f),
            vec![(
                2,
                "Ghi chú: the value is 5000 characters long; at most 1000 are allowed"
            )]
        );
        // Exactly 1,000 (multi-byte) characters is fine.
        let max = "ệ".repeat(1000);
        let f = csv(&format!("org,vendor,model\nA,B,{max}\n"));
        assert_eq!(f.rows[0].record.model, max);
    }

    #[test]
    fn huge_record_is_refused_before_it_is_buffered() {
        // A quoted cell spanning many short lines, growing past the record limit.
        let mut text = String::from("org,vendor,model,x\nA,B,C,ok\nA,B,C,\"");
        while text.len() < 3 * MAX_RECORD_BYTES {
            text.push_str("abc\n");
        }
        match csv_err(&text) {
            FileError::RecordTooLong { line, limit } => {
                assert_eq!(line, 3);
                assert_eq!(limit, MAX_RECORD_BYTES);
            }
            e => panic!("{e}"),
        }
        // One very long unquoted line.
        let text = format!(
            "org,vendor,model\nA,B,{}\n",
            "y".repeat(2 * MAX_RECORD_BYTES)
        );
        assert!(matches!(
            csv_err(&text),
            FileError::RecordTooLong { line: 2, .. }
        ));
    }

    #[test]
    fn too_many_columns() {
        let header: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
        let text = format!("org,vendor,model,{}\nA,B,C\n", header.join(","));
        match csv_err(&text) {
            FileError::TooManyColumns { found, limit } => {
                assert_eq!((found, limit), (10_003, MAX_COLUMNS));
            }
            e => panic!("{e}"),
        }
        // A data row wider than the limit is rejected; trailing empty cells do not count.
        let wide = vec!["v"; 300].join(",");
        let empty = ",".repeat(5000);
        let text = format!("org,vendor,model\nA,B,C,{wide}\nA,B,C{empty}\n");
        let f = csv(&text);
        assert_eq!(lines(&f), vec![3]);
        assert_eq!(
            rejected(&f),
            vec![(2, "the row has 303 columns; at most 200 are allowed")]
        );
    }

    #[test]
    fn invalid_utf8() {
        let mut bytes = b"org,vendor,model\nA,B\xff\xfe,C\nA,B,C\n".to_vec();
        let f = read_inventory_csv(bytes.as_slice(), None).unwrap();
        assert_eq!(lines(&f), vec![3]);
        assert_eq!(rejected(&f), vec![(2, "vendor: not valid UTF-8 text")]);
        // A header in a legacy encoding (Windows-1258 "Hãng") is a file error.
        bytes = b"org,H\xe3ng,model\nA,B,C\n".to_vec();
        bytes.splice(0..0, b"title\n".iter().copied());
        let e = read_inventory_csv(b"org,model,H\xe3ng\nA,B,C\n".as_slice(), None).unwrap_err();
        assert!(matches!(e, FileError::Encoding(_)), "{e}");
        let e = read_inventory_csv(bytes.as_slice(), None).unwrap_err();
        assert!(matches!(e, FileError::Encoding(_)), "{e}");
    }

    /// Deterministic pseudo-random bytes.
    fn garbage(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn binary_garbage_is_a_clean_error() {
        let dir = tempfile::tempdir().unwrap();
        for (i, name) in ["g.csv", "g.xlsx", "g.xls", "g.ods", "g.xlsb", "g.bin", "g"]
            .iter()
            .enumerate()
        {
            for seed in 1..4u64 {
                let path = dir.path().join(name);
                let mut bytes = garbage(50_000, seed * 31 + i as u64);
                std::fs::write(&path, &bytes).unwrap();
                assert!(read_inventory(&path, Some("A")).is_err(), "{name} {seed}");
                // A ZIP signature in front of garbage.
                bytes.splice(0..0, b"PK\x03\x04".iter().copied());
                std::fs::write(&path, &bytes).unwrap();
                assert!(
                    read_inventory(&path, Some("A")).is_err(),
                    "{name} {seed} zip"
                );
                // An OLE signature in front of garbage.
                bytes.splice(0..4, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".iter().copied());
                std::fs::write(&path, &bytes).unwrap();
                assert!(
                    read_inventory(&path, Some("A")).is_err(),
                    "{name} {seed} ole"
                );
            }
        }
        // Reading from a stream: binary data is refused.
        assert!(matches!(
            read_inventory_csv(garbage(10_000, 7).as_slice(), None),
            Err(FileError::UnsupportedFormat(_))
        ));
        let missing = dir.path().join("missing.csv");
        assert!(matches!(
            read_inventory(&missing, None),
            Err(FileError::Io { .. })
        ));
    }

    #[test]
    fn random_text_does_not_panic() {
        proptest!(ProptestConfig::with_cases(200), |(text in "[a-z,;\t\"\r\n ]{0,200}", header in prop::bool::ANY)| {
            let input = if header { format!("org,vendor,model\n{text}") } else { text };
            let _ = read_inventory_csv(input.as_bytes(), None);
            let _ = read_catalogue_csv_for_test(&input);
        });
    }

    fn read_catalogue_csv_for_test(
        text: &str,
    ) -> Result<crate::catalogue::CatalogueFile, FileError> {
        crate::catalogue::read_catalogue_csv(text.as_bytes())
    }

    // -- spreadsheets --------------------------------------------------------------------------

    #[test]
    fn xlsx_with_dates_numbers_and_title_rows() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cameras.xlsx");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let date_format = Format::new().set_num_format("dd/mm/yyyy");
        ws.write_string(0, 0, "DANH SÁCH CAMERA GIÁM SÁT").unwrap();
        // Header in row 3 (Excel numbering), starting at column B.
        for (c, h) in [
            "Đơn vị",
            "Hãng",
            "Model",
            "Số serial",
            "Firmware",
            "Ngày lắp đặt",
            "MAC",
            "Địa chỉ IP",
            "Ghi chú",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(2, c as u16 + 1, *h).unwrap();
        }
        // Row 4: date cell, numeric serial, fractional number.
        ws.write_string(3, 1, "Sở A").unwrap();
        ws.write_string(3, 2, "Hikvision").unwrap();
        ws.write_string(3, 3, "DS-2CD1023G0E-I").unwrap();
        ws.write_number(3, 4, 12345678.0).unwrap();
        ws.write_number(3, 5, 5.5).unwrap();
        ws.write_date_with_format(
            3,
            6,
            ExcelDateTime::from_ymd(2023, 8, 15).unwrap(),
            &date_format,
        )
        .unwrap();
        ws.write_string(3, 7, "AA-BB-CC-DD-EE-FF").unwrap();
        ws.write_string(3, 8, "10.0.0.5").unwrap();
        ws.write_number(3, 9, 42).unwrap();
        // Row 5: rejected (bad MAC, date in a text cell that is impossible).
        ws.write_string(4, 1, "Sở A").unwrap();
        ws.write_string(4, 2, "Dahua").unwrap();
        ws.write_string(4, 3, "IPC-HFW1230S").unwrap();
        ws.write_string(4, 6, "30/02/2023").unwrap();
        ws.write_string(4, 7, "not-a-mac").unwrap();
        // Row 6 empty; row 7: date as text, no org (default), boolean attribute.
        ws.write_string(6, 2, "Dahua").unwrap();
        ws.write_string(6, 3, "  IPC-HDW2431T  ").unwrap();
        ws.write_string(6, 6, "01/12/2022").unwrap();
        ws.write_boolean(6, 9, true).unwrap();
        // Row 8: a number in a date column is not a date.
        ws.write_string(7, 1, "Sở B").unwrap();
        ws.write_string(7, 2, "Axis").unwrap();
        ws.write_string(7, 3, "P1375").unwrap();
        ws.write_number(7, 6, 45000).unwrap();
        wb.save(&path).unwrap();

        let f = read_inventory(&path, Some("Sở mặc định")).unwrap();
        assert_eq!(lines(&f), vec![4, 7]);
        let r = &f.rows[0].record;
        assert_eq!(r.org, "Sở A");
        assert_eq!(r.serial.as_deref(), Some("12345678"));
        assert_eq!(r.firmware.as_deref(), Some("5.5"));
        assert_eq!(r.installed_on, Some(date(2023, 8, 15)));
        assert_eq!(r.mac.as_deref(), Some("aa:bb:cc:dd:ee:ff"));
        assert_eq!(r.ip, Some("10.0.0.5".parse().unwrap()));
        assert_eq!(r.attributes["Ghi chú"], "42");
        let r = &f.rows[1].record;
        assert_eq!(r.org, "Sở mặc định");
        assert_eq!(r.model, "IPC-HDW2431T");
        assert_eq!(r.installed_on, Some(date(2022, 12, 1)));
        assert_eq!(r.attributes["Ghi chú"], "TRUE");
        assert_eq!(
            rejected(&f),
            vec![
                (
                    5,
                    "mac: \"not-a-mac\" is not a MAC address; installed_on: \"30/02/2023\" is \
                     not a date (YYYY-MM-DD or DD/MM/YYYY)"
                ),
                (
                    8,
                    "installed_on: \"45000\" is not a date (YYYY-MM-DD or DD/MM/YYYY)"
                ),
            ]
        );

        // The same workbook without the extension is recognised by its content.
        let bare = dir.path().join("cameras");
        std::fs::copy(&path, &bare).unwrap();
        assert_eq!(read_inventory(&bare, Some("Sở mặc định")).unwrap(), f);
    }

    #[test]
    fn xlsx_too_many_columns_and_missing_columns() {
        use rust_xlsxwriter::Workbook;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.xlsx");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for c in 0..10_000u16 {
            ws.write_string(0, c, format!("c{c}")).unwrap();
        }
        wb.save(&path).unwrap();
        assert!(matches!(
            read_inventory(&path, None),
            Err(FileError::TooManyColumns { found: 10_000, .. })
        ));

        let path = dir.path().join("missing.xlsx");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "Hãng").unwrap();
        ws.write_string(0, 1, "Model").unwrap();
        ws.write_string(1, 0, "Hik").unwrap();
        wb.save(&path).unwrap();
        match read_inventory(&path, None) {
            Err(FileError::MissingColumns(m)) => assert_eq!(m, vec!["org"]),
            other => panic!("{other:?}"),
        }

        let path = dir.path().join("empty.xlsx");
        let mut wb = Workbook::new();
        wb.add_worksheet();
        wb.save(&path).unwrap();
        assert!(matches!(
            read_inventory(&path, None),
            Err(FileError::NoHeader)
        ));
    }

    // -- writing and round trips ---------------------------------------------------------------

    fn sparse_record() -> CameraRecord {
        CameraRecord {
            org: "B".into(),
            vendor: "Dahua".into(),
            model: "IPC-HFW1230S".into(),
            ip: Some("2001:db8::10".parse().unwrap()),
            installed_on: Some(date(1899, 12, 31)),
            attributes: BTreeMap::from([
                ("Tầng".to_owned(), "3".to_owned()),
                ("STT".to_owned(), "0012".to_owned()),
            ]),
            ..CameraRecord::default()
        }
    }

    #[test]
    fn csv_export_format() {
        let mut out = Vec::new();
        write_inventory_csv(&mut out, &[full_record(), sparse_record()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "org,system,vendor,model,firmware,serial,mac,ip,location,installed_on,cert_origin,\
             cert_quality,cert_conformity,brand,cert_conformity_standard,cert_conformity_body,\
             cert_conformity_date,Ghi chú,STT,Tầng"
        );
        assert_eq!(
            lines.nth(1).unwrap(),
            "B,,Dahua,IPC-HFW1230S,,,,2001:db8::10,,1899-12-31,,,,,,,,,0012,3"
        );
    }

    #[test]
    fn round_trip_tables() {
        let records = vec![
            full_record(),
            sparse_record(),
            CameraRecord {
                org: "C".into(),
                vendor: "Axis".into(),
                model: "P1375 \"E\"".into(),
                location: Some("line 1\nline 2; with, separators".into()),
                serial: Some("000123".into()),
                firmware: Some("10.0".into()),
                ..CameraRecord::default()
            },
        ];
        let mut out = Vec::new();
        write_inventory_csv(&mut out, &records).unwrap();
        let back = read_inventory_csv(out.as_slice(), None).unwrap();
        assert!(back.rejected.is_empty(), "{:?}", back.rejected);
        assert_eq!(
            back.rows.into_iter().map(|r| r.record).collect::<Vec<_>>(),
            records
        );

        let dir = tempfile::tempdir().unwrap();
        for name in ["out.csv", "out.tsv", "out.xlsx", "out.txt"] {
            let path = dir.path().join(name);
            write_inventory(&path, &records).unwrap();
            let back = read_inventory(&path, None).unwrap();
            assert!(back.rejected.is_empty(), "{name}: {:?}", back.rejected);
            assert_eq!(
                back.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
                vec![2, 3, 4],
                "{name}"
            );
            assert_eq!(
                back.rows.into_iter().map(|r| r.record).collect::<Vec<_>>(),
                records,
                "{name}"
            );
        }
        // CSV files get a BOM for Excel.
        let bytes = std::fs::read(dir.path().join("out.csv")).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBForg,system,"));
        // An empty inventory writes a header that reads back as no rows.
        let path = dir.path().join("empty.xlsx");
        write_inventory(&path, &[]).unwrap();
        assert_eq!(
            read_inventory(&path, None).unwrap(),
            InventoryFile::default()
        );
    }

    #[test]
    fn unwritable_formats() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["x.xls", "x.ods", "x.XLSB"] {
            let e = write_inventory(&dir.path().join(name), &[sparse_record()]).unwrap_err();
            assert!(matches!(e, FileError::UnsupportedFormat(_)), "{name}: {e}");
            assert!(!dir.path().join(name).exists());
        }
        let e = write_inventory(&dir.path().join("no/such/dir.csv"), &[]).unwrap_err();
        assert!(matches!(e, FileError::Io { .. }), "{e}");
    }

    #[test]
    fn bad_attribute_names_are_refused_on_export() {
        for key in ["org", "Địa chỉ IP", "x (model)", " padded", ""] {
            let mut r = sparse_record();
            r.attributes.insert(key.to_owned(), "v".to_owned());
            let e = write_inventory_csv(Vec::new(), &[r]).unwrap_err();
            assert!(matches!(e, FileError::BadAttribute { .. }), "{key:?}: {e}");
        }
    }

    #[test]
    fn json_dates_are_iso() {
        let r = full_record();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["installed_on"], "2023-08-15");
        assert_eq!(json["cert_conformity_date"], "2024-12-31");
        assert_eq!(json["ip"], "10.1.2.3");
        assert_eq!(json["brand"], "HiLook");
        let back: CameraRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
        let minimal: CameraRecord =
            serde_json::from_str(r#"{"org":"A","vendor":"B","model":"C"}"#).unwrap();
        assert_eq!(minimal.installed_on, None);
        assert!(serde_json::from_str::<CameraRecord>(r#"{"installed_on":"31/02/2024"}"#).is_err());
    }

    /// Vietnamese letters, listed: a range such as `À-ỹ` also holds white space (U+1680) and
    /// other marks that a trimming reader rightly changes.
    const VI: &str =
        "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚĂƠƯ";

    fn value() -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!(
            "[A-Za-z0-9{VI}][A-Za-z0-9{VI} ,;\"'\n()./:-]{{0,18}}[A-Za-z0-9{VI})]"
        ))
        .expect("value regex")
    }

    fn attribute_key() -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("attr [a-z{VI}]{{1,6}}")).expect("key regex")
    }

    fn opt_value() -> impl Strategy<Value = Option<String>> {
        prop::option::of(value())
    }

    fn opt_date() -> impl Strategy<Value = Option<Date>> {
        prop::option::of((1890i32..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| date(y, m, d)))
    }

    prop_compose! {
        fn record()(
            org in value(), system in opt_value(), vendor in value(), brand in opt_value(),
            model in value(), firmware in opt_value(), serial in opt_value(),
            mac in prop::option::of(any::<[u8; 6]>()),
            ip in prop::option::of(any::<IpAddr>()),
            location in opt_value(), installed_on in opt_date(),
            certs in (opt_value(), opt_value(), opt_value(), opt_value(), opt_value()),
            cert_conformity_date in opt_date(),
            attributes in prop::collection::btree_map(attribute_key(), value(), 0..3),
        ) -> CameraRecord {
            CameraRecord {
                org, system, vendor, brand, model, firmware, serial,
                mac: mac.map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(":")),
                ip, location, installed_on,
                cert_origin: certs.0, cert_quality: certs.1, cert_conformity: certs.2,
                cert_conformity_standard: certs.3, cert_conformity_body: certs.4,
                cert_conformity_date, attributes,
            }
        }
    }

    proptest! {
        #[test]
        fn csv_round_trip(records in prop::collection::vec(record(), 0..6)) {
            let mut out = Vec::new();
            write_inventory_csv(&mut out, &records).unwrap();
            let back = read_inventory_csv(out.as_slice(), None).unwrap();
            prop_assert!(back.rejected.is_empty(), "{:?}", back.rejected);
            prop_assert_eq!(back.rows.into_iter().map(|r| r.record).collect::<Vec<_>>(), records);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn xlsx_round_trip(records in prop::collection::vec(record(), 1..6)) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("p.xlsx");
            write_inventory(&path, &records).unwrap();
            let back = read_inventory(&path, None).unwrap();
            prop_assert!(back.rejected.is_empty(), "{:?}", back.rejected);
            prop_assert_eq!(back.rows.into_iter().map(|r| r.record).collect::<Vec<_>>(), records);
        }
    }

    #[test]
    fn many_rows() {
        let rows = if cfg!(debug_assertions) {
            20_000
        } else {
            100_000
        };
        let mut text =
            String::from("Đơn vị;Hãng;Model;Số serial;MAC;Địa chỉ IP;Ngày lắp đặt;Vị trí\n");
        for i in 0..rows {
            text.push_str(&format!(
                "Sở {};Hikvision;DS-2CD2143G2-I;SN{i:08};aa:bb:cc:{:02x}:{:02x}:{:02x};10.{}.{}.{};15/08/2023;Tầng {}\n",
                i % 7,
                (i >> 16) & 0xff,
                (i >> 8) & 0xff,
                i & 0xff,
                (i >> 16) & 0xff,
                (i >> 8) & 0xff,
                i & 0xff,
                i % 20
            ));
        }
        let start = std::time::Instant::now();
        let f = read_inventory_csv(text.as_bytes(), None).unwrap();
        let elapsed = start.elapsed();
        assert_eq!(f.rows.len(), rows);
        assert!(f.rejected.is_empty());
        assert_eq!(f.rows.last().unwrap().line, rows + 1);
        if !cfg!(debug_assertions) {
            assert!(
                elapsed < std::time::Duration::from_millis(800),
                "{elapsed:?}"
            );
        }
    }
}
