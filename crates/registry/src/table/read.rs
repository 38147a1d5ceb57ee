//! The engine: the header row found, its columns resolved (misspellings refused, other unknown
//! columns noted), every data row bounded and handed to the converter of the file kind.

use std::collections::{BTreeMap, HashSet};

use super::columns;
use super::error::{FileError, FileWarning, Misspelling, RejectedRow, describe_columns};
use super::header::{Schema, resolve_header};
use super::limits::{HEADER_SEARCH_ROWS, MAX_COLUMNS, MAX_VALUE_CHARS};
use super::row::{Cell, Convert, RawCell, RowInfo, RowSource, RowValues, TableRows};
use crate::date::format_date;

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
            if let Some(Slot::Field(f)) = slot {
                values.fields[*f] = Some(cell);
            } else {
                let text = match cell {
                    Cell::Text(s) => s,
                    Cell::Date(d) => format_date(d),
                };
                values.attributes.insert(name(), text);
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
