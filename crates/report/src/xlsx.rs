//! The XLSX annex: one sheet per table of the report, the header row in the report's language.
//! Values are written as strings or numbers (never formulas), so a hostile model name is text.

use crate::ReportError;
use crate::labels::Labels;
use crate::model::{CameraEntry, Report};
use rust_xlsxwriter::{Format, Workbook};

/// A cell of the annex.
enum Cell {
    S(String),
    N(f64),
    E,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::S(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::S(s)
    }
}
impl From<&String> for Cell {
    fn from(s: &String) -> Cell {
        Cell::S(s.clone())
    }
}
impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::E, Cell::S)
    }
}
impl From<&Option<String>> for Cell {
    fn from(s: &Option<String>) -> Cell {
        s.clone().map_or(Cell::E, Cell::S)
    }
}
impl From<u64> for Cell {
    fn from(n: u64) -> Cell {
        Cell::N(n as f64)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::N(n as f64)
    }
}
impl From<usize> for Cell {
    fn from(n: usize) -> Cell {
        Cell::N(n as f64)
    }
}
impl From<Option<i64>> for Cell {
    fn from(n: Option<i64>) -> Cell {
        n.map_or(Cell::E, |n| Cell::N(n as f64))
    }
}
impl From<Option<u16>> for Cell {
    fn from(n: Option<u16>) -> Cell {
        n.map_or(Cell::E, |n| Cell::N(f64::from(n)))
    }
}

macro_rules! row {
    ($($x:expr),* $(,)?) => { vec![$(Cell::from($x)),*] };
}

/// Excel's limit on a cell's text.
const MAX_CELL: usize = 32_000;

struct Book<'a> {
    wb: Workbook,
    bold: Format,
    l: &'a Labels,
}

impl Book<'_> {
    fn sheet(
        &mut self,
        name_key: &str,
        header_keys: &[&str],
        rows: Vec<Vec<Cell>>,
    ) -> Result<(), ReportError> {
        let name = self.l.get(name_key);
        let ws = self.wb.add_worksheet();
        ws.set_name(&name)?;
        for (c, k) in header_keys.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, self.l.get(k), &self.bold)?;
            ws.set_column_width(c as u16, 16)?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in rows.into_iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| ReportError::Data("too many rows".into()))?;
            for (c, cell) in row.into_iter().enumerate() {
                match cell {
                    Cell::S(s) if s.is_empty() => {}
                    Cell::S(s) => {
                        let s: String = s.chars().take(MAX_CELL).collect();
                        ws.write_string(r, c as u16, s)?;
                    }
                    Cell::N(n) => {
                        ws.write_number(r, c as u16, n)?;
                    }
                    Cell::E => {}
                }
            }
        }
        Ok(())
    }
}

fn cameras_sheets(book: &mut Book<'_>, cameras: &[CameraEntry]) -> Result<(), ReportError> {
    let l = book.l;
    let yes_no = |b: bool| l.get(if b { "yes" } else { "no" });
    book.sheet(
        "sheet-cameras",
        &[
            "col-unit",
            "col-system",
            "col-ip",
            "col-vendor",
            "col-model",
            "col-firmware",
            "col-serial",
            "col-location",
            "col-catalogue",
            "col-document",
            "col-registered",
            "col-verdict",
            "col-open-findings",
        ],
        cameras
            .iter()
            .map(|c| {
                row![
                    &c.org,
                    &c.system,
                    &c.ip,
                    &c.vendor,
                    &c.model,
                    &c.firmware,
                    &c.serial,
                    &c.location,
                    l.get(&format!("state-{}", c.catalogue)),
                    &c.catalogue_document,
                    yes_no(c.id.is_some()),
                    c.verdict.as_ref().map(|v| l.get(v)),
                    c.findings.iter().filter(|f| f.state == "open").count(),
                ]
            })
            .collect(),
    )?;
    book.sheet(
        "sheet-findings",
        &[
            "col-unit",
            "col-ip",
            "col-vendor",
            "col-model",
            "col-severity",
            "col-finding",
            "col-port",
            "col-state",
            "col-first-seen",
            "col-last-seen",
            "col-accepted-until",
            "col-remediation",
            "col-evidence",
        ],
        cameras
            .iter()
            .flat_map(|c| {
                c.findings.iter().map(move |f| {
                    row![
                        &c.org,
                        &c.ip,
                        &c.vendor,
                        &c.model,
                        l.get(&format!("sev-{}", f.severity)),
                        &f.title,
                        f.port,
                        l.get(&format!("state-{}", f.state)),
                        &f.first_seen,
                        &f.last_seen,
                        &f.accepted_until,
                        &f.remediation,
                        &f.evidence,
                    ]
                })
            })
            .collect(),
    )?;
    book.sheet(
        "sheet-clauses",
        &[
            "col-unit",
            "col-ip",
            "col-model",
            "col-standard",
            "col-reference",
            "col-clause",
        ],
        cameras
            .iter()
            .flat_map(|c| {
                c.clauses_failed.iter().map(move |k| {
                    row![&c.org, &c.ip, &c.model, &k.standard, &k.reference, &k.title]
                })
            })
            .collect(),
    )
}

fn severity_rows(l: &Labels, s: &[crate::model::SeverityCount]) -> Vec<Vec<Cell>> {
    s.iter()
        .map(|s| {
            row![
                l.get(&format!("sev-{}", s.severity)),
                s.open,
                s.accepted,
                s.fixed
            ]
        })
        .collect()
}

const SEVERITY_COLS: &[&str] = &["col-severity", "col-open", "col-accepted", "col-fixed"];

pub(crate) fn write(report: &Report, l: &Labels) -> Result<Vec<u8>, ReportError> {
    let mut book = Book {
        wb: Workbook::new(),
        bold: Format::new().set_bold(),
        l,
    };
    let state = |s: &str| l.get(&format!("state-{s}"));
    let duty = |d: &str| l.get(&format!("duty-{d}"));
    match report {
        Report::Unit(r) => {
            book.sheet(
                "sheet-duties",
                &[
                    "col-duty",
                    "col-state",
                    "col-due",
                    "col-days-late",
                    "col-detail",
                ],
                r.duties
                    .iter()
                    .map(|d| {
                        row![
                            duty(&d.duty),
                            state(&d.state),
                            &d.due,
                            d.days_late,
                            &d.detail
                        ]
                    })
                    .collect(),
            )?;
            book.sheet(
                "sheet-scans",
                &[
                    "col-scan",
                    "col-unit",
                    "col-profile",
                    "col-operator",
                    "col-started",
                    "col-finished",
                    "col-hosts",
                    "col-cameras",
                ],
                r.scans
                    .iter()
                    .map(|s| {
                        row![
                            s.id,
                            &s.org,
                            &s.profile,
                            &s.operator,
                            &s.started_at,
                            &s.finished_at,
                            s.hosts,
                            s.cameras
                        ]
                    })
                    .collect(),
            )?;
            book.sheet(
                "sheet-severity",
                SEVERITY_COLS,
                severity_rows(l, &r.severities),
            )?;
            cameras_sheets(&mut book, &r.cameras)?;
        }
        Report::Province(r) => {
            let mut cols: Vec<String> = vec!["col-code".into(), "col-unit".into()];
            cols.extend(r.duty_ids.iter().map(|d| format!("duty-{d}")));
            cols.extend([
                "col-problems".into(),
                "col-cameras".into(),
                "col-open-findings".into(),
            ]);
            let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
            book.sheet(
                "sheet-units",
                &cols,
                r.units
                    .iter()
                    .map(|u| {
                        let mut row = row![&u.code, &u.name];
                        for d in &r.duty_ids {
                            row.push(match u.duties.iter().find(|c| &c.duty == d) {
                                Some(c) => Cell::S(match c.days_late {
                                    Some(n) => format!("{} ({n})", state(&c.state)),
                                    None => state(&c.state),
                                }),
                                None => Cell::E,
                            });
                        }
                        row.extend(row![u.problems, u.cameras, u.open_findings]);
                        row
                    })
                    .collect(),
            )?;
            book.sheet(
                "sheet-late",
                &[
                    "col-code",
                    "col-unit",
                    "col-duty",
                    "col-state",
                    "col-due",
                    "col-days-late",
                    "col-detail",
                ],
                r.late
                    .iter()
                    .map(|x| {
                        row![
                            &x.code,
                            &x.name,
                            duty(&x.duty),
                            state(&x.state),
                            &x.due,
                            x.days_late,
                            &x.detail
                        ]
                    })
                    .collect(),
            )?;
            book.sheet(
                "sheet-severity",
                SEVERITY_COLS,
                severity_rows(l, &r.severities),
            )?;
            book.sheet(
                "sheet-vendors",
                &[
                    "col-vendor",
                    "col-cameras",
                    "col-uncertified",
                    "col-warned",
                    "col-open-findings",
                    "col-critical",
                    "col-high",
                ],
                r.vendors
                    .iter()
                    .map(|v| {
                        row![
                            if v.vendor == "?" {
                                l.get("vendor-unknown")
                            } else {
                                v.vendor.clone()
                            },
                            v.cameras,
                            v.uncertified,
                            v.warned,
                            v.findings_open,
                            v.critical,
                            v.high
                        ]
                    })
                    .collect(),
            )?;
            book.sheet(
                "sheet-flagged",
                &[
                    "col-unit",
                    "col-ip",
                    "col-vendor",
                    "col-model",
                    "col-serial",
                    "col-flag",
                    "col-document",
                ],
                r.flagged
                    .iter()
                    .map(|c| {
                        row![
                            &c.org,
                            &c.ip,
                            &c.vendor,
                            &c.model,
                            &c.serial,
                            state(&c.flag),
                            &c.document
                        ]
                    })
                    .collect(),
            )?;
        }
        Report::Site(r) => {
            book.sheet(
                "sheet-severity",
                SEVERITY_COLS,
                severity_rows(l, &r.severities),
            )?;
            book.sheet(
                "sheet-hosts",
                &[
                    "col-ip",
                    "col-vendor",
                    "col-model",
                    "col-firmware",
                    "col-ports",
                    "col-catalogue",
                    "col-registered",
                    "col-verdict",
                ],
                r.hosts
                    .iter()
                    .map(|h| {
                        row![
                            &h.camera.ip,
                            &h.camera.vendor,
                            &h.camera.model,
                            &h.camera.firmware,
                            h.open_ports.join(", "),
                            state(&h.camera.catalogue),
                            l.get(if h.registered { "yes" } else { "no" }),
                            l.get(&h.conclusion)
                        ]
                    })
                    .collect(),
            )?;
            let cams: Vec<CameraEntry> = r.hosts.iter().map(|h| h.camera.clone()).collect();
            cameras_sheets(&mut book, &cams)?;
        }
    }
    Ok(book.wb.save_to_buffer()?)
}
