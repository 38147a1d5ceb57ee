//! The registry's change counter: a number that grows whenever the registry's data changes,
//! whoever changes it (this process, the command line, another service instance).
//!
//! Documents computed from the whole registry (the compliance status of every unit, the
//! dashboard's figures) take about a second at 1,000 units and 1,000,000 findings. The service
//! keeps them and, instead of computing them again every few seconds, asks this counter (one
//! indexed read of a tiny table) whether anything changed since.
//!
//! Kept by triggers (schema version 7) on every table of the registry's data; accounts,
//! sessions, tokens and the audit log are not the registry's data and are not counted.
//! - SQLite: a row trigger on each table adds one to a single row. SQLite has one writer at a
//!   time, so the row is never contended; a bulk import pays one small update per row.
//! - PostgreSQL: a statement trigger adds one to the row of its connection's shard
//!   (`pg_backend_pid() % 16`), so that concurrent writers (many scan workers) do not queue on
//!   one row lock until they commit.
//!
//! The counter is read in the reader's snapshot, like the data: a change committed after a
//! document's counter was read shows as a different counter the next time, so a document is
//! never kept past a change it did not see.

use crate::{Backend, Result, Store};
use sqlx::Row;

/// The tables whose changes are counted: every table of the registry's data (schema 1).
pub(crate) const COUNTED: &[&str] = &[
    "orgs",
    "org_scopes",
    "org_deadline_sets",
    "duty_records",
    "regulations",
    "systems",
    "system_events",
    "cameras",
    "catalogue",
    "scans",
    "scan_hosts",
    "findings",
    "finding_events",
];

/// PostgreSQL's shards of the counter.
const SHARDS: u32 = 16;

/// The statements of schema version 7 for `backend`: the counter's table and its triggers.
pub(crate) fn migration(backend: Backend) -> Vec<String> {
    let mut out = vec![
        "CREATE TABLE registry_changes (shard INTEGER PRIMARY KEY, n BIGINT NOT NULL)".to_string(),
    ];
    match backend {
        Backend::Sqlite => {
            out.push("INSERT INTO registry_changes (shard, n) VALUES (0, 0)".to_string());
            for table in COUNTED {
                for op in ["INSERT", "UPDATE", "DELETE"] {
                    out.push(format!(
                        "CREATE TRIGGER {table}_{} AFTER {op} ON {table} \
                         BEGIN UPDATE registry_changes SET n = n + 1 WHERE shard = 0; END",
                        op.to_lowercase()
                    ));
                }
            }
        }
        Backend::Postgres => {
            out.push(format!(
                "INSERT INTO registry_changes (shard, n) \
                 SELECT g, 0 FROM generate_series(0, {}) AS g",
                SHARDS - 1
            ));
            out.push(format!(
                "CREATE FUNCTION camguard_registry_changed() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN UPDATE registry_changes SET n = n + 1 WHERE shard = pg_backend_pid() % {SHARDS}; \
                 RETURN NULL; END $$"
            ));
            for table in COUNTED {
                out.push(format!(
                    "CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE \
                     ON {table} FOR EACH STATEMENT EXECUTE FUNCTION camguard_registry_changed()"
                ));
            }
        }
    }
    out
}

impl Store {
    /// The registry's change counter: equal at two reads when nothing in the registry's data
    /// changed between them: kept by triggers on every table of the registry's data (schema 7),
    /// read in the reader's snapshot, so a change committed after a read shows at the next one.
    pub async fn registry_changes(&self) -> Result<i64> {
        let row =
            sqlx::query("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM registry_changes")
                .fetch_one(self.pool())
                .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counted_table_gets_its_triggers_on_both_backends() {
        let sqlite = migration(Backend::Sqlite);
        let pg = migration(Backend::Postgres);
        for table in COUNTED {
            let on = format!(" ON {table} ");
            assert_eq!(
                sqlite.iter().filter(|s| s.contains(&on)).count(),
                3,
                "{table}"
            );
            assert_eq!(pg.iter().filter(|s| s.contains(&on)).count(), 1, "{table}");
        }
        assert!(pg.iter().any(|s| s.contains("pg_backend_pid() % 16")));
    }
}
