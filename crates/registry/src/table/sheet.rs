//! The spreadsheet source of the table engine: XLSX, XLSM, XLSB, XLS and ODS through calamine.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use time::{Date, Month};

use super::error::FileError;
use super::header::Schema;
use super::read::read_table;
use super::row::{Convert, RawCell, RowInfo, RowSource, TableRows, place};
use crate::date::parse_date;

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
        let mut info = RowInfo {
            line: row as usize + 1,
            ..RowInfo::default()
        };
        let mut current = Some(first);
        while let Some(((r, c), cell)) = current {
            if r != row {
                self.peeked = Some(((r, c), cell));
                break;
            }
            place(cells, c as usize, cell, &mut info);
            current = self.pull()?;
        }
        Ok(Some(info))
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
pub(super) enum Format {
    Csv,
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    /// A ZIP of unknown kind: XLSX, else ODS.
    Zip,
}

pub(crate) fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

pub(super) fn detect_format(path: &Path) -> Result<Format, FileError> {
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
pub(super) fn read_workbook<T>(
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
