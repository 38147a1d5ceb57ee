//! Result writers: `table` for people, `json` (one document), `jsonl` (a host per line, as hosts
//! finish) and `csv`. Field names follow docs/spec/scan-output.md.

use crate::cli::Format;
use crate::tr;
use camguard_model::{HostReport, ScanDocument, ScanInfo};
use camguard_registry::table::formula::neutralize;
use std::io::{self, Write};

pub struct Writer {
    format: Format,
    out: Box<dyn Write + Send>,
    /// Hosts kept for formats that are written at the end.
    held: Vec<HostReport>,
}

const CSV_HEADER: &[&str] = &[
    "ip",
    "hostname",
    "is_camera",
    "device_type",
    "vendor",
    "brand",
    "model",
    "firmware",
    "cpe",
    "confidence",
    "open_ports",
    "findings",
];

impl Writer {
    pub fn new(format: Format, out: Box<dyn Write + Send>) -> io::Result<Writer> {
        let mut w = Writer {
            format,
            out,
            held: Vec::new(),
        };
        if format == Format::Csv {
            w.csv_row(CSV_HEADER)?;
        }
        Ok(w)
    }

    /// One CSV record, written and flushed at once so rows stream as hosts finish. A cell a
    /// spreadsheet would run as a formula (a hostile device's model or firmware string such as
    /// `=HYPERLINK(…)`) gets OWASP's neutralising single quote, as every camguard CSV does
    /// (`camguard_registry::table::formula`).
    fn csv_row<S: AsRef<str>>(&mut self, row: &[S]) -> io::Result<()> {
        let mut c = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        c.write_record(
            row.iter()
                .map(|cell| neutralize(cell.as_ref()).into_owned()),
        )
        .map_err(io::Error::other)?;
        let buf = c
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.out.write_all(&buf)?;
        self.out.flush()
    }

    /// One finished host.
    pub fn host(&mut self, h: &HostReport) -> io::Result<()> {
        match self.format {
            Format::Jsonl => {
                serde_json::to_writer(&mut self.out, h)?;
                self.out.write_all(b"\n")?;
                self.out.flush()
            }
            Format::Csv => {
                let ports = h
                    .open_ports
                    .iter()
                    .map(|p| format!("{}/{}/{}", p.port, transport(p), p.service))
                    .collect::<Vec<_>>()
                    .join(";");
                let findings = h
                    .findings
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>()
                    .join(";");
                let row = [
                    h.ip.to_string(),
                    h.hostname.clone().unwrap_or_default(),
                    h.is_camera.to_string(),
                    h.device_type.to_string(),
                    h.vendor.clone().unwrap_or_default(),
                    h.brand.clone().unwrap_or_default(),
                    h.model.clone().unwrap_or_default(),
                    h.firmware.clone().unwrap_or_default(),
                    h.cpe.clone().unwrap_or_default(),
                    h.confidence.to_string(),
                    ports,
                    findings,
                ];
                self.csv_row(&row)
            }
            Format::Json | Format::Table => {
                self.held.push(h.clone());
                Ok(())
            }
        }
    }

    /// The scan is over: write what was held.
    pub fn finish(mut self, info: ScanInfo) -> io::Result<()> {
        self.held.sort_by_key(|h| h.ip);
        match self.format {
            Format::Json => {
                let doc = ScanDocument {
                    camguard_version: env!("CARGO_PKG_VERSION").to_string(),
                    scan: info,
                    hosts: self.held,
                };
                serde_json::to_writer_pretty(&mut self.out, &doc)?;
                self.out.write_all(b"\n")?;
            }
            Format::Table => write_table(&mut self.out, &self.held)?,
            Format::Jsonl | Format::Csv => {}
        }
        self.out.flush()
    }
}

fn transport(p: &camguard_model::OpenPort) -> &'static str {
    match p.transport {
        camguard_model::Transport::Tcp => "tcp",
        camguard_model::Transport::Udp => "udp",
    }
}

/// A severity in the chosen language.
fn severity(s: camguard_model::Severity) -> String {
    crate::i18n::tr(&format!("severity-{}", s.as_str()))
}

fn cell(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("-").to_string()
}

/// Aligned columns, widest value per column, long values cut with '…'; then, for hosts with
/// findings, one line per finding, worst first.
pub fn write_table(out: &mut dyn Write, hosts: &[HostReport]) -> io::Result<()> {
    const N: usize = 9;
    let head: [String; N] = [
        tr!("scan-col-address"),
        tr!("scan-col-type"),
        tr!("scan-col-vendor"),
        tr!("scan-col-brand"),
        tr!("scan-col-model"),
        tr!("scan-col-firmware"),
        tr!("scan-col-confidence"),
        tr!("scan-col-findings"),
        tr!("scan-col-ports"),
    ];
    const MAX: [usize; N] = [39, 6, 13, 10, 24, 28, 8, 18, 60];
    let rows: Vec<[String; N]> = hosts
        .iter()
        .map(|h| {
            let kind = if h.is_camera {
                h.device_type.to_string()
            } else {
                tr!("scan-type-other")
            };
            let ports = h
                .open_ports
                .iter()
                .map(|p| format!("{}/{}", p.port, p.service))
                .collect::<Vec<_>>()
                .join(" ");
            let findings = match h.findings.iter().map(|f| f.severity).max() {
                Some(worst) => format!("{} {}", h.findings.len(), severity(worst)),
                None if h.verdict.is_some() => "0".into(),
                None => "-".into(),
            };
            [
                h.ip.to_string(),
                kind,
                cell(h.vendor.as_deref()),
                cell(h.brand.as_deref()),
                cell(h.model.as_deref()),
                cell(h.firmware.as_deref()),
                h.confidence.to_string(),
                findings,
                ports,
            ]
        })
        .collect();
    let clip = |s: &str, max: usize| -> String {
        if s.chars().count() <= max {
            s.to_string()
        } else {
            format!("{}…", s.chars().take(max - 1).collect::<String>())
        }
    };
    let mut width = head.clone().map(|h| h.chars().count());
    for r in &rows {
        for i in 0..N {
            width[i] = width[i].max(clip(&r[i], MAX[i]).chars().count());
        }
    }
    let line = |cells: [String; N]| -> String {
        let mut s = String::new();
        for i in 0..N {
            let c = clip(&cells[i], MAX[i]);
            s.push_str(&c);
            if i + 1 < N {
                s.push_str(&" ".repeat(width[i] - c.chars().count() + 2));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(head))?;
    for r in rows {
        writeln!(out, "{}", line(r))?;
    }
    let with_findings: Vec<&HostReport> = hosts.iter().filter(|h| !h.findings.is_empty()).collect();
    if !with_findings.is_empty() {
        writeln!(out, "\n{}", tr!("scan-findings-heading"))?;
        for h in with_findings {
            let mut f: Vec<_> = h.findings.iter().collect();
            f.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
            for x in f {
                let port = x.port.map(|p| format!("{p}/tcp")).unwrap_or_default();
                let title = x.title.as_ref().map_or("", crate::i18n::text);
                writeln!(
                    out,
                    "{:<15} {:<12} {:<9} {:<34} {title}",
                    h.ip.to_string(),
                    severity(x.severity),
                    port,
                    x.id
                )?;
                // What to do about it, under the finding, indented past the address.
                if let Some(r) = x.remediation.as_ref().map(crate::i18n::text) {
                    let r = tr!("scan-remediation", text = r);
                    for (i, l) in r.lines().filter(|l| !l.trim().is_empty()).enumerate() {
                        let mark = if i == 0 { "↳" } else { " " };
                        writeln!(out, "{:<15} {mark} {}", "", l.trim())?;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod csv_tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A writer whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A hostile device names its model and firmware as formulas: the CSV must not run them.
    #[test]
    fn formula_like_device_strings_are_neutralised() {
        let out = Shared::default();
        let mut w = Writer::new(Format::Csv, Box::new(out.clone())).unwrap();
        let mut h = HostReport::new(
            "127.0.0.1".parse().unwrap(),
            Default::default(),
            Vec::new(),
            String::new(),
        );
        h.vendor = Some("@SUM(1+1)*cmd|' /C calc'!A0".into());
        h.model = Some("=HYPERLINK(\"http://evil.example\",\"x\")".into());
        h.firmware = Some("-2+3".into());
        h.brand = Some("+1+1".into());
        h.hostname = Some("\t=1".into());
        w.host(&h).unwrap();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let row = csv::ReaderBuilder::new()
            .from_reader(text.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap();
        let cell = |i: usize| row.get(i).unwrap().to_owned();
        assert_eq!(cell(1), "'\t=1");
        assert_eq!(cell(4), "'@SUM(1+1)*cmd|' /C calc'!A0");
        assert_eq!(cell(5), "'+1+1");
        assert_eq!(cell(6), "'=HYPERLINK(\"http://evil.example\",\"x\")");
        assert_eq!(cell(7), "'-2+3");
        for c in &row {
            assert!(!c.starts_with(['=', '+', '-', '@', '\t', '\r']), "{c:?}");
        }
    }
}
