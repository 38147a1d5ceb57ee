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
//!
//! Files: `record` (columns and records), `validate` (row → record), `export` (writing); this
//! file holds the entry points.

mod export;
mod record;
#[cfg(test)]
mod tests;
mod validate;

use std::io::{Read, Write};
use std::path::Path;

pub use crate::date::{format_date, parse_date};
pub use crate::table::{
    FileError, FileWarning, MAX_COLUMNS, MAX_RECORD_BYTES, MAX_VALUE_CHARS, Misspelling,
    RejectedRow,
};
use crate::table::{RowValues, read_table_csv, read_table_path};
use record::INVENTORY;
pub use record::{COLUMNS, CameraRecord, InventoryFile, ParsedRow, REQUIRED_COLUMNS};
pub use validate::UNMATCHABLE;
use validate::{org_satisfied, to_camera};

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
