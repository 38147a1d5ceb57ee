//! Writing inventory files: CSV (formula-like cells neutralised, see
//! [`crate::table::formula`]) and XLSX (every text a typed string cell, never a formula).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use time::{Date, Month};

use super::record::{COLUMNS, CameraRecord, INVENTORY};
use crate::date::format_date;
use crate::table::formula::neutralize;
use crate::table::{FileError, MAX_COLUMNS};
use crate::table::{extension, resolve_header};

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

pub(super) fn write_delimited<W: Write>(
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
    w.write_record(header.iter().map(|h| neutralize(h).into_owned()))
        .map_err(csv_err)?;
    let mut line: Vec<String> = Vec::with_capacity(header.len());
    for r in records {
        line.clear();
        line.extend(export_row(r, &attrs).into_iter().map(|o| match o {
            Out::Empty => String::new(),
            Out::Text(s) => neutralize(s).into_owned(),
            Out::Owned(s) => neutralize(&s).into_owned(),
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

pub(super) fn write_path(path: &Path, records: &[CameraRecord]) -> Result<(), FileError> {
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
