//! The registry commands: `org`, `system`, `camera`, `catalogue`, `assess`, `deadline`,
//! `status`. Each opens the store (`--database` / `CAMGUARD_DATABASE`, else the embedded SQLite
//! file), does one thing, and prints a table or JSON.

use crate::cli_registry::{DbOpts, OrgKindArg, OutFormat};
use crate::errors::{BadInput, OrExit};
use crate::usage;
use camguard_registry::deadline::{DeadlineSet, load_deadlines};
use camguard_registry::inventory::{format_date, parse_date};
use camguard_store::{OpenMode, OrgKind, Store};
use serde::Serialize;
use std::io::Write;

mod assess;
mod camera;
mod catalogue;
mod deadline;
mod org;
mod status;
mod system;

/// The operator at the command line, as the audit log records it.
pub(crate) fn cli_actor() -> camguard_store::Actor {
    camguard_store::Actor::cli(crate::env::user().as_deref())
}

/// Record a change made at the command line in the audit log (who, what, after; never a
/// secret), against the organisation it concerns.
pub(crate) async fn record(
    store: &Store,
    action: &str,
    subject: &str,
    org: Option<&str>,
    after: serde_json::Value,
) -> anyhow::Result<()> {
    let org_id = match org {
        Some(code) => store.org(code).await.ok().map(|o| o.id),
        None => None,
    };
    store
        .append_audit(&camguard_store::NewAudit {
            actor: &cli_actor(),
            action,
            subject,
            before: None,
            after: Some(after),
            org_id,
        })
        .await
        .or_exit()?;
    Ok(())
}

pub use self::assess::assess;
pub use self::camera::camera;
pub use self::catalogue::catalogue;
pub use self::deadline::deadline;
pub use self::org::org;
pub use self::status::{compute_status, status};
pub use self::system::system;

/// Exit status of `camera import` when some rows were rejected.
pub const REJECTED_ROWS: u8 = 4;
/// Exit statuses of `catalogue check`.
pub const CATALOGUE_WARNED: u8 = 5;
pub const CATALOGUE_UNKNOWN: u8 = 6;

/// The database named by the options, the environment, or the default file.
pub fn database_url(db: &DbOpts) -> String {
    db.database
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| crate::env::default_database_path().display().to_string())
}

/// The registry for a command that reads or changes what is there: a missing database file is
/// named (a mistyped `--database` must not answer from a new, empty registry).
pub async fn open_store(db: &DbOpts) -> anyhow::Result<Store> {
    let url = database_url(db);
    Store::open_with(&url, OpenMode::Existing).await.or_exit()
}

/// The registry for a command that adds data (`org add`, `org import`): created when missing.
pub async fn create_store(db: &DbOpts) -> anyhow::Result<Store> {
    let url = database_url(db);
    Store::open_with(&url, OpenMode::Create).await.or_exit()
}

pub use crate::errors::store_err;

pub(super) fn day(s: &str, what: &str) -> anyhow::Result<time::Date> {
    parse_date(s).ok_or_else(|| {
        usage(crate::tr!(
            "error-not-a-date",
            what = what,
            value = format!("{s:?}")
        ))
    })
}

pub(crate) fn day_or_today(s: &Option<String>, what: &str) -> anyhow::Result<time::Date> {
    match s {
        Some(s) => day(s, what),
        None => Ok(camguard_store::today()),
    }
}

pub(super) fn fmt_day(d: Option<time::Date>) -> String {
    d.map_or_else(|| "-".into(), format_date)
}

pub(super) fn json<T: Serialize>(v: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// What a command that changed one record prints: the record as JSON, or one line for people.
pub(super) fn changed<T: Serialize>(
    format: OutFormat,
    record: &T,
    line: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    match format {
        OutFormat::Json => json(record),
        OutFormat::Table => {
            println!("{}", line());
            Ok(())
        }
    }
}

/// Aligned columns.
pub(super) struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(super) fn new<S: ToString>(head: &[S]) -> Self {
        Table {
            head: head.iter().map(std::string::ToString::to_string).collect(),
            rows: Vec::new(),
        }
    }
    pub(super) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
    pub(super) fn print(&self) -> anyhow::Result<()> {
        let mut w: Vec<usize> = self.head.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if i < w.len() {
                    w[i] = w[i].max(c.chars().count()).min(60);
                }
            }
        }
        let mut out = std::io::stdout().lock();
        let line = |cells: Vec<String>, out: &mut dyn Write| -> std::io::Result<()> {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                let c: String = c.chars().take(60).collect();
                if i + 1 == cells.len() {
                    s.push_str(&c);
                } else {
                    let pad = w[i].saturating_sub(c.chars().count());
                    s.push_str(&c);
                    s.push_str(&" ".repeat(pad + 2));
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        line(self.head.clone(), &mut out)?;
        for r in &self.rows {
            line(r.clone(), &mut out)?;
        }
        Ok(())
    }
}

pub(super) fn kind(k: OrgKindArg) -> OrgKind {
    match k {
        OrgKindArg::Province => OrgKind::Province,
        OrgKindArg::Ministry => OrgKind::Ministry,
        OrgKindArg::Agency => OrgKind::Agency,
        OrgKindArg::Enterprise => OrgKind::Enterprise,
        OrgKindArg::Isp => OrgKind::Isp,
        OrgKindArg::Unit => OrgKind::Unit,
    }
}

pub(super) fn parse_nets(cidrs: &[String]) -> anyhow::Result<Vec<ipnet::IpNet>> {
    cidrs
        .iter()
        .map(|c| {
            let c = c.trim();
            c.parse::<ipnet::IpNet>()
                .or_else(|_| c.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| usage(format!("--scope: {c:?} is not an address or CIDR")))
        })
        .collect()
}

pub(super) fn deadline_sets(kb: &camguard_kb::Kb) -> anyhow::Result<Vec<DeadlineSet>> {
    load_deadlines(kb).usage_in("knowledge base")
}

pub(super) fn check_sets(sets: &[String], known: &[DeadlineSet]) -> anyhow::Result<()> {
    for s in sets {
        if !known.iter().any(|k| &k.id == s) {
            return Err(usage(format!(
                "unknown deadline set {s:?} (known: {})",
                known
                    .iter()
                    .map(|k| k.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

pub(super) fn join<T: std::fmt::Display>(v: &[T]) -> String {
    v.iter()
        .map(std::string::ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub(super) fn or_dash(s: String) -> String {
    if s.is_empty() { "-".into() } else { s }
}
