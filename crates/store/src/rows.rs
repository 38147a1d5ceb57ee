//! Lists read the way each back end's driver reads them fastest.
//!
//! sqlx's SQLite driver runs each connection on a worker thread and hands every row to the
//! runtime through a channel; for a page of 100 rows of 20-odd columns that hand-over, not
//! SQLite, was most of a list's cost (a unit's camera list served 741 requests a second, then
//! 2,496 read as below; BENCHMARKS §10f). So on SQLite a page is built by the database as one
//! JSON array of its columns (`json_group_array(json_object(…))`) and serde reads it. On
//! PostgreSQL, whose driver reads rows in the request's own task, `json_agg` was slower than
//! rows (1,406 requests a second, then 1,141), so it reads rows.

use crate::{Backend, Result, Store, StoreError};
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::{AnyArguments, AnyRow};

/// The columns of a listed row: (name, expression) over `from`, in `order`.
pub(crate) struct Columns {
    pub list: &'static [(&'static str, &'static str)],
    /// `FROM …` with its joins.
    pub from: &'static str,
    /// The expression the list is ordered by (unique).
    pub order: &'static str,
}

impl Columns {
    /// `SELECT` of the columns, one row each, without `WHERE`.
    pub fn select(&self) -> String {
        let cols = self
            .list
            .iter()
            .map(|(name, expr)| format!("{expr} AS {name}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("SELECT {cols} {}", self.from)
    }

    /// The rows `WHERE {where_clause}`, in order, as [`Columns::read`] reads them on `backend`.
    pub fn query(&self, backend: Backend, where_clause: &str) -> String {
        match backend {
            Backend::Sqlite => {
                let pairs = self
                    .list
                    .iter()
                    .map(|(name, expr)| format!("'{name}', {expr}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(
                    "SELECT json_group_array(json_object({pairs}) ORDER BY {}) AS page {} \
                     WHERE {where_clause}",
                    self.order, self.from
                )
            }
            Backend::Postgres => format!(
                "{} WHERE {where_clause} ORDER BY {}",
                self.select(),
                self.order
            ),
        }
    }

    /// Run a query written by [`Columns::query`]: on SQLite the one JSON value, read by serde;
    /// on PostgreSQL the rows, read by `row`. Each row's columns `C` become a `T`.
    pub async fn read<'q, C: DeserializeOwned, T: From<C>>(
        &self,
        store: &Store,
        query: sqlx::query::Query<'q, sqlx::Any, AnyArguments<'q>>,
        row: impl Fn(&AnyRow) -> Result<C>,
    ) -> Result<Vec<T>> {
        let cols: Vec<C> = match store.backend() {
            Backend::Sqlite => {
                let one = query.fetch_one(store.pool()).await?;
                let text: Option<String> = one.try_get("page")?;
                serde_json::from_str(text.as_deref().unwrap_or("[]"))
                    .map_err(|e| StoreError::Corrupt(format!("a page of rows as read: {e}")))?
            }
            Backend::Postgres => query
                .fetch_all(store.pool())
                .await?
                .iter()
                .map(row)
                .collect::<Result<_>>()?,
        };
        Ok(cols.into_iter().map(T::from).collect())
    }
}
