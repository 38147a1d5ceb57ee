//! The table engine shared by inventory and catalogue files: rows from CSV or a worksheet,
//! the header row found and folded, every bound against hostile files applied, and each data
//! row handed to a converter of the file kind (`inventory`, `catalogue`).
//!
//! * `csv_source`: CSV text (UTF-8 or UTF-16, delimiter detection, a record-length guard);
//! * `sheet`: XLSX, XLSB, XLS and ODS through calamine, after [`zip_guard`] has checked a
//!   ZIP-based workbook's sizes and counts (nothing is decompressed into memory before);
//! * [`formula`]: the neutralising quote of cells a spreadsheet would run as formulas.

//!
//! Files, each depending only on those before it: `limits`, `error` (errors and reports), `header`
//! (folding, schema), `row` (cells and rows), `columns` (misspellings), `formula`, the sources
//! `csv_source` and `sheet`, `zip_guard`, `read` (the engine); this file only re-exports them
//! and picks the source.

use std::fs::File;
use std::path::Path;

mod columns;
mod csv_source;
mod error;
pub mod formula;
mod header;
mod limits;
mod read;
mod row;
mod sheet;
pub mod zip_guard;

pub(crate) use error::quote;
pub use error::{FileError, FileWarning, Misspelling, RejectedRow};
pub(crate) use header::{Schema, fold, resolve_header};
pub use limits::{MAX_COLUMNS, MAX_RECORD_BYTES, MAX_VALUE_CHARS};
pub(crate) use row::{RowValues, TableRows};
pub(crate) use sheet::extension;

use csv_source::CsvSource;
use read::read_table;
use row::Convert;
use sheet::{Format, detect_format, read_workbook};
use std::io::Read;

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
