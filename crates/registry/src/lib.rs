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
//! * [`status`]: the state of every duty of a unit, computed from its records.

pub mod catalogue;
pub mod deadline;
pub mod inventory;
pub mod level;
pub mod status;
