//! The audit log: append-only and hash-chained.
//!
//! Entries are numbered 1, 2, 3 … by the writer. Each entry's `hash` is the SHA-256 of a
//! canonical encoding of its fields (id, time, actor, client address, action, subject, before
//! and after JSON as stored) and of `prev_hash`, the previous entry's hash (`""` for the
//! first). `audit_head` holds the last id given and its hash; an append updates it first, in
//! the append's transaction, which serialises appends on both back ends (PostgreSQL: the
//! head row's lock; SQLite: the database's write lock), so the chain never forks.
//!
//! [`Store::verify_audit`] walks the chain and names the first entry that breaks it: an entry
//! whose content no longer matches its hash (altered), an entry whose `prev_hash` is not its
//! predecessor's hash (a predecessor altered and re-hashed, or entries reordered), a gap in the
//! ids (deleted entries), or a head that records more entries than there are (entries deleted
//! at the end).

use crate::{Result, Store, now};
use futures::TryStreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Who did something, and from where (`client` is `None` for the command line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub client: Option<String>,
}

impl Actor {
    /// Someone at the command line: `cli:NAME` (the operating system's user).
    pub fn cli(user: Option<&str>) -> Actor {
        Actor {
            name: format!(
                "cli:{}",
                user.filter(|u| !u.is_empty()).unwrap_or("unknown")
            ),
            client: Some("local".into()),
        }
    }
}

/// What to record. `before` and `after` are the subject's state around the change; they must
/// never hold a password, a token or a hash of either.
#[derive(Clone, Debug)]
pub struct NewAudit<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub subject: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// The organisation the entry concerns, when one does (auditors read their subtree's).
    pub org_id: Option<i64>,
}

/// An entry as stored.
#[derive(Clone, Debug, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub client: Option<String>,
    pub action: String,
    pub subject: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub prev_hash: String,
    pub hash: String,
    /// The organisation the entry concerns.
    pub org: Option<String>,
}

/// Why the chain is broken at an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "problem")]
pub enum AuditProblem {
    /// The entry's content does not match its hash.
    Altered,
    /// The entry's `prev_hash` is not the previous entry's hash.
    BrokenLink,
    /// Entries `from..=to` are missing (the next one present is `to + 1`).
    Missing { from: i64, to: i64 },
    /// Entries `from..=to` are missing at the end of the log.
    MissingAtEnd { from: i64, to: i64 },
    /// The head does not match the last entry (it was altered and re-hashed, or written
    /// around camguard).
    HeadMismatch,
}

/// The first entry that breaks the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditBreak {
    pub id: i64,
    #[serde(flatten)]
    pub problem: AuditProblem,
}

impl std::fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = self.id;
        match &self.problem {
            AuditProblem::Altered => write!(
                f,
                "entry {id} was altered: its content does not match its hash"
            ),
            AuditProblem::BrokenLink => write!(
                f,
                "entry {id} does not follow entry {}: its prev_hash is not that entry's hash (an earlier entry was altered and re-hashed, or entries were reordered)",
                id - 1
            ),
            AuditProblem::Missing { from, to } if from == to => write!(
                f,
                "entry {id} is missing (deleted): the log jumps from entry {} to entry {}",
                from - 1,
                to + 1
            ),
            AuditProblem::Missing { from, to } => write!(
                f,
                "entries {from}-{to} are missing (deleted): the log jumps from entry {} to entry {}",
                from - 1,
                to + 1
            ),
            AuditProblem::MissingAtEnd { from, to } if from == to => write!(
                f,
                "entry {id} is missing (deleted) at the end: {to} entries were written, the log ends at entry {}",
                from - 1
            ),
            AuditProblem::MissingAtEnd { from, to } => write!(
                f,
                "entries {from}-{to} are missing (deleted) at the end: {to} entries were written, the log ends at entry {}",
                from - 1
            ),
            AuditProblem::HeadMismatch => write!(
                f,
                "entry {id} does not match the log's head (it was altered and re-hashed, or written around camguard)"
            ),
        }
    }
}

/// The result of [`Store::verify_audit`].
#[derive(Clone, Debug, Serialize)]
pub struct AuditCheck {
    /// Entries read.
    pub entries: u64,
    /// The first entry that breaks the chain, when one does.
    pub first_bad: Option<AuditBreak>,
}

/// SHA-256 over a canonical encoding of an entry's fields in order (id, at, actor, client
/// address, action, subject, before, after, prev_hash, and the organisation id when there is
/// one): a version tag, then each field as a presence byte and, when present, its length
/// (8 bytes, big-endian) and bytes. Entries written before the organisation was recorded
/// (schema 3 and 4) have nine fields; setting or clearing an entry's organisation afterwards
/// changes its hash.
fn entry_hash(fields: &[Option<&str>]) -> String {
    let mut h = Sha256::new();
    h.update(b"camguard-audit-v1\n");
    for field in fields {
        match field {
            None => h.update([0u8]),
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Append one entry inside the caller's transaction (which must not have read the audit
/// tables yet). The head is updated first: on SQLite that takes the write lock, on PostgreSQL
/// the head row's lock, until the transaction ends.
pub(crate) async fn append_in(conn: &mut sqlx::AnyConnection, e: &NewAudit<'_>) -> Result<i64> {
    let head = sqlx::query(
        "UPDATE audit_head SET last_id = last_id + 1 WHERE one = 1 RETURNING last_id, last_hash",
    )
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = head.try_get("last_id")?;
    let prev: String = head.try_get("last_hash")?;
    let at = now();
    let before = e.before.as_ref().map(serde_json::Value::to_string);
    let after = e.after.as_ref().map(serde_json::Value::to_string);
    let id_text = id.to_string();
    let org_text = e.org_id.map(|o| o.to_string());
    let mut fields = vec![
        Some(id_text.as_str()),
        Some(&at),
        Some(&e.actor.name),
        e.actor.client.as_deref(),
        Some(e.action),
        Some(e.subject),
        before.as_deref(),
        after.as_deref(),
        Some(&prev),
    ];
    if let Some(o) = &org_text {
        fields.push(Some(o));
    }
    let hash = entry_hash(&fields);
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor, client_addr, action, subject, before_json, after_json, prev_hash, hash, org_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(&at)
    .bind(&e.actor.name)
    .bind(e.actor.client.as_deref())
    .bind(e.action)
    .bind(e.subject)
    .bind(before.as_deref())
    .bind(after.as_deref())
    .bind(&prev)
    .bind(&hash)
    .bind(e.org_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE one = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

const COLUMNS: &str = "a.id, a.at, a.actor, a.client_addr, a.action, a.subject, a.before_json, a.after_json, a.prev_hash, a.hash, a.org_id, o.code AS org";
const FROM: &str = "audit_log a LEFT JOIN orgs o ON o.id = a.org_id";

struct RawEntry {
    id: i64,
    at: String,
    actor: String,
    client: Option<String>,
    action: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
    prev_hash: String,
    hash: String,
    org_id: Option<i64>,
    org: Option<String>,
}

impl RawEntry {
    fn read(r: &sqlx::any::AnyRow) -> Result<RawEntry> {
        Ok(RawEntry {
            id: r.try_get("id")?,
            at: r.try_get("at")?,
            actor: r.try_get("actor")?,
            client: r.try_get("client_addr")?,
            action: r.try_get("action")?,
            subject: r.try_get("subject")?,
            before: r.try_get("before_json")?,
            after: r.try_get("after_json")?,
            prev_hash: r.try_get("prev_hash")?,
            hash: r.try_get("hash")?,
            org_id: r.try_get("org_id")?,
            org: r.try_get("org")?,
        })
    }
    fn computed_hash(&self) -> String {
        let id = self.id.to_string();
        let org = self.org_id.map(|o| o.to_string());
        let mut fields = vec![
            Some(id.as_str()),
            Some(&self.at),
            Some(&self.actor),
            self.client.as_deref(),
            Some(&self.action),
            Some(&self.subject),
            self.before.as_deref(),
            self.after.as_deref(),
            Some(&self.prev_hash),
        ];
        if let Some(o) = &org {
            fields.push(Some(o));
        }
        entry_hash(&fields)
    }
    fn into_entry(self) -> AuditEntry {
        // A JSON text that no longer parses is shown as the text itself.
        let json = |s: Option<String>| {
            s.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)))
        };
        AuditEntry {
            id: self.id,
            at: self.at,
            actor: self.actor,
            client: self.client,
            action: self.action,
            subject: self.subject,
            before: json(self.before),
            after: json(self.after),
            prev_hash: self.prev_hash,
            hash: self.hash,
            org: self.org,
        }
    }
}

impl Store {
    /// Append one entry to the audit log (in its own transaction).
    pub async fn append_audit(&self, entry: &NewAudit<'_>) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id = append_in(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The audit log in order, from `since` (RFC 3339 UTC text, `YYYY-MM-DDTHH:MM:SSZ`) on.
    pub async fn audit_log(&self, since: Option<&str>) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE a.at >= $1 ORDER BY a.id"
        ))
        .bind(since.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| RawEntry::read(r).map(RawEntry::into_entry))
            .collect()
    }

    /// Entries matching a condition written by the store (`$1` an id, `$2` a time text, `$3`
    /// a limit).
    pub(crate) async fn audit_where(
        &self,
        condition: &str,
        after: i64,
        since: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE {condition}"))
            .bind(after)
            .bind(since)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| RawEntry::read(r).map(RawEntry::into_entry))
            .collect()
    }

    /// Walk the whole chain (streamed: memory does not grow with the log) and name the first
    /// entry that breaks it.
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        let sql = format!("SELECT {COLUMNS} FROM {FROM} ORDER BY a.id");
        let mut rows = sqlx::query(&sql).fetch(self.pool());
        let mut entries = 0u64;
        let mut last_id = 0i64;
        let mut last_hash = String::new();
        let broken = |id, problem| AuditBreak { id, problem };
        while let Some(row) = rows.try_next().await? {
            let e = RawEntry::read(&row)?;
            entries += 1;
            let first_bad = if e.id != last_id + 1 {
                Some(broken(
                    last_id + 1,
                    AuditProblem::Missing {
                        from: last_id + 1,
                        to: e.id - 1,
                    },
                ))
            } else if e.computed_hash() != e.hash {
                Some(broken(e.id, AuditProblem::Altered))
            } else if e.prev_hash != last_hash {
                Some(broken(e.id, AuditProblem::BrokenLink))
            } else {
                None
            };
            if first_bad.is_some() {
                return Ok(AuditCheck { entries, first_bad });
            }
            last_id = e.id;
            last_hash = e.hash;
        }
        drop(rows);
        let head = sqlx::query("SELECT last_id, last_hash FROM audit_head WHERE one = 1")
            .fetch_optional(self.pool())
            .await?;
        let (head_id, head_hash) = match head {
            Some(h) => (h.try_get::<i64, _>("last_id")?, h.try_get("last_hash")?),
            None => (-1, String::new()),
        };
        let first_bad = if head_id > last_id {
            Some(broken(
                last_id + 1,
                AuditProblem::MissingAtEnd {
                    from: last_id + 1,
                    to: head_id,
                },
            ))
        } else if head_id != last_id || head_hash != last_hash {
            Some(broken(last_id, AuditProblem::HeadMismatch))
        } else {
            None
        };
        Ok(AuditCheck { entries, first_bad })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_separates_fields() {
        let f = |actor, client| {
            entry_hash(&[
                Some("1"),
                Some("t"),
                Some(actor),
                client,
                Some("x"),
                Some("s"),
                None,
                None,
                Some(""),
            ])
        };
        let a = f("ab", None);
        assert_ne!(a, f("a", Some("b")));
        assert_ne!(a, f("ab", Some("")));
        assert_eq!(a.len(), 64);
        assert_eq!(a, f("ab", None));
    }

    #[test]
    fn breaks_are_named_in_words() {
        let gap = AuditBreak {
            id: 3,
            problem: AuditProblem::Missing { from: 3, to: 3 },
        };
        assert_eq!(
            gap.to_string(),
            "entry 3 is missing (deleted): the log jumps from entry 2 to entry 4"
        );
    }
}
