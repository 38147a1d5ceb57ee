//! Rows as the sources give them and as the converters of a file kind take them.

use std::collections::BTreeMap;

use time::Date;

use super::error::{FileError, FileWarning, RejectedRow, quote};
use super::limits::MAX_COLUMNS;
use crate::date::{format_date, parse_date};

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
    pub(crate) columns: &'static [(&'static str, &'static str)],
    pub(crate) fields: Vec<Option<Cell>>,
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
