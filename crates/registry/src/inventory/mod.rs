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
//! * a header that is a misspelling of a column the file lacks (an other name of it from
//!   `kb/registry/columns.toml`, or a small edit distance away: `seral`, `ip_addr`) refuses the
//!   file with [`FileError::MisspelledColumns`], naming the column meant;
//! * other unknown columns are kept as custom attributes (header as written → value), with a
//!   warning in [`InventoryFile::warnings`]; a column with an empty header is kept as
//!   `column N` (1-based);
//! * a row with neither serial nor MAC is kept with a warning: the store matches rows to
//!   registered cameras by serial, else MAC, so importing the file again adds it again;
//! * CSV: UTF-8 (a BOM is stripped) or UTF-16 with a BOM (Excel's "Unicode text"); the
//!   delimiter (`,`, `;` or tab) is detected from the header line; line numbers are the physical
//!   line where a record starts (the header is line 1 when nothing precedes it);
//! * spreadsheets: the first worksheet; line numbers are the row numbers Excel shows; date
//!   cells become dates, numbers become text without a trailing `.0`;
//! * a row is rejected, with its line number and every reason, when a required value is
//!   missing, an address, MAC or date is invalid, a value is longer than 1,000 characters, or
//!   it has more than 200 columns; every other row is kept; completely empty rows are skipped.
//!
//! Bounds against hostile files: at most 200 columns (empty cells count), 1,000 characters per
//! value, and 1 MiB per CSV record (a longer record is a file-level error, detected before it
//! is buffered); a workbook archive is checked before it is unpacked
//! ([`crate::table::zip_guard`]). CSV values a spreadsheet would run as formulas are written
//! with a neutralising quote, removed again on reading ([`crate::table::formula`]).
//!
//! Writing ([`write_inventory`]) emits the English keys of [`COLUMNS`] in order, then the
//! custom attribute columns (sorted), so that reading the file back gives the same records.

mod export;
#[cfg(test)]
mod tests;
mod validate;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::opt_date;
pub use crate::date::{format_date, parse_date};
pub use crate::table::{
    FileError, FileWarning, MAX_COLUMNS, MAX_RECORD_BYTES, MAX_VALUE_CHARS, Misspelling,
    RejectedRow,
};
use crate::table::{RowValues, Schema, read_table_csv, read_table_path};
pub use validate::UNMATCHABLE;
use validate::{org_satisfied, to_camera};

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
    kind: "inventory",
    unknown_columns: "its values are kept as a custom attribute",
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

/// Everything read from an inventory file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryFile {
    pub rows: Vec<ParsedRow>,
    pub rejected: Vec<RejectedRow>,
    /// Kept, but worth a look: columns that are not inventory columns (kept as custom
    /// attributes), rows with neither serial nor MAC (importing the file again adds them
    /// again), by line.
    #[serde(default)]
    pub warnings: Vec<FileWarning>,
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
    export::write_path(path, records)
}

/// Writes records as CSV (no BOM) to any writer: header of English keys, then custom attribute
/// columns.
pub fn write_inventory_csv<W: Write>(writer: W, records: &[CameraRecord]) -> Result<(), FileError> {
    export::write_delimited(writer, records, b',')
}

pub use camguard_model::normalize_mac;
