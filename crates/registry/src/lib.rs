//! The registry's domain, without storage.
//!
//! Everything here is plain data and pure functions, so the same rules hold whichever store
//! (SQLite or PostgreSQL, see `camguard-store`) keeps the records:
//!
//! * [`level`]: the security-level questionnaire of Decree 85/2016 Arts. 7–11 (and successors),
//!   read from versioned rule files in `kb/registry/`;
//! * [`deadline`]: the directive's and provinces' deadlines, as data;
//! * [`inventory`] and [`catalogue`]: camera inventory and certified/warned model lists in CSV
//!   and XLSX (`docs/spec/inventory-csv.md`), validated row by row;
//! * [`status`]: the state of every duty of a unit, computed from its records;
//! * [`table`]: the engine both file kinds share (CSV and workbook sources, header folding,
//!   bounds against hostile files, the neutralising quote of formula-like cells);
//! * [`date`]: dates as the files write them.
//!
//! Modules depend on each other in one direction: `inventory`, `catalogue` → `table` → `date`;
//! `status` → `deadline`, `date`.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

pub mod catalogue;
pub mod date;
pub mod deadline;
pub mod inventory;
pub mod level;
pub mod message;
pub mod status;
pub mod table;
