//! The catalogue of certified and warned camera models.

use crate::audit::{NewAudit, append_in};
use crate::org::opt_date;
use crate::{Result, Store, date_text, now};
use camguard_registry::catalogue::{CatalogueEntry, CatalogueStatus};
use serde::Serialize;
use sqlx::Row;

/// A stored catalogue entry.
#[derive(Clone, Debug, Serialize)]
pub struct CatalogueRow {
    pub id: i64,
    #[serde(flatten)]
    pub entry: CatalogueEntry,
}

impl Store {
    /// Add catalogue entries in one transaction; an entry already present (same status, vendor,
    /// model and document) is replaced. Returns how many were written.
    pub async fn import_catalogue(
        &self,
        entries: &[CatalogueEntry],
        keys: &(dyn Fn(&CatalogueEntry) -> (String, String) + Sync),
    ) -> Result<usize> {
        self.import_catalogue_audited(entries, keys, None).await
    }

    /// [`Store::import_catalogue`], with the audit entry (when given) in the same transaction:
    /// the entries and the record of their import are both stored, or neither.
    pub(crate) async fn import_catalogue_audited(
        &self,
        entries: &[CatalogueEntry],
        keys: &(dyn Fn(&CatalogueEntry) -> (String, String) + Sync),
        audit: Option<&NewAudit<'_>>,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let t = now();
        for e in entries {
            let (vk, mk) = keys(e);
            let doc = e.document.clone().unwrap_or_default();
            sqlx::query(
                "DELETE FROM catalogue WHERE status = $1 AND vendor_key = $2 AND model_key = $3 AND document = $4",
            )
            .bind(e.status.to_string())
            .bind(vk.clone())
            .bind(mk.clone())
            .bind(doc.clone())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO catalogue (status, vendor, vendor_key, model, model_key, document, issued_by, issued_on, certificate, note, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(e.status.to_string())
            .bind(e.vendor.clone())
            .bind(vk)
            .bind(e.model.clone())
            .bind(mk)
            .bind(doc)
            .bind(e.issued_by.clone())
            .bind(e.date.map(date_text))
            .bind(e.certificate.clone())
            .bind(e.note.clone())
            .bind(t.clone())
            .execute(&mut *tx)
            .await?;
        }
        if let Some(a) = audit {
            append_in(&mut tx, a).await?;
        }
        tx.commit().await?;
        Ok(entries.len())
    }

    /// Every catalogue entry.
    pub async fn catalogue(&self) -> Result<Vec<CatalogueRow>> {
        let rows = sqlx::query(
            "SELECT id, status, vendor, model, document, issued_by, issued_on, certificate, note FROM catalogue ORDER BY vendor_key, model_key, id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let status: String = r.try_get("status")?;
            let document: Option<String> = r.try_get("document")?;
            out.push(CatalogueRow {
                id: r.try_get("id")?,
                entry: CatalogueEntry {
                    status: status.parse().unwrap_or(CatalogueStatus::Warned),
                    vendor: r.try_get("vendor")?,
                    model: r.try_get("model")?,
                    document: document.filter(|d| !d.is_empty()),
                    issued_by: r.try_get("issued_by")?,
                    date: opt_date(r.try_get("issued_on")?),
                    certificate: r.try_get("certificate")?,
                    note: r.try_get("note")?,
                },
            });
        }
        Ok(out)
    }
}
