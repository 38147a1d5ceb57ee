//! Accounts: users with a role and an organisation, API tokens and sessions. Passwords are
//! kept as Argon2id hashes; tokens and session ids as SHA-256 hashes (`camguard-auth`). Every
//! change is recorded in the audit log in the change's own transaction, never with a password,
//! a token or a hash in it.

use crate::audit::{Actor, NewAudit, append_in};
use crate::{OrgKind, Result, Store, StoreError, now};
use camguard_auth::{
    Password, Role, TOKEN_PREFIX, check_password, hash_password, hash_secret, new_secret,
    valid_username, verify_password, verify_unknown_user,
};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// An account as stored (without its password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    #[serde(skip)]
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub org: Option<String>,
    #[serde(skip)]
    pub org_id: Option<i64>,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl User {
    /// What the audit log records of an account.
    fn audit(&self) -> serde_json::Value {
        json!({
            "username": self.username,
            "role": self.role.as_str(),
            "org": self.org,
            "disabled": self.disabled,
        })
    }
}

/// A new API token: `token` is shown once and never stored.
#[derive(Clone, Serialize)]
pub struct NewToken {
    pub id: i64,
    pub username: String,
    pub token: String,
    pub expires_at: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("token", &"****")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// An API token as stored (its hash is not shown).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub username: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

/// A new session: `id` goes in the cookie and is never stored; `csrf_token` must come back in
/// `X-CSRF-Token` with every change.
#[derive(Clone)]
pub struct NewSession {
    pub id: String,
    pub csrf_token: String,
    pub expires_at: String,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("id", &"****")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A live session's account and CSRF token.
#[derive(Clone, Debug)]
pub struct SessionUser {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: String,
}

/// Longest API token life, in days.
pub const MAX_TOKEN_DAYS: u32 = 3650;

const USER_COLUMNS: &str =
    "u.id, u.username, u.role, o.code AS org, u.org_id, u.disabled, u.created_at, u.updated_at";

fn read_user(r: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        role: role
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("account role: {e}")))?,
        org: r.try_get("org")?,
        org_id: r.try_get("org_id")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// RFC 3339 UTC text (second precision) of now plus `d`.
fn later(d: time::Duration) -> String {
    let t = time::OffsetDateTime::now_utc() + d;
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn username(name: &str) -> Result<String> {
    valid_username(name).ok_or_else(|| {
        StoreError::invalid(format!(
            "bad username {name:?}: use 1-64 letters, digits, '.', '_', '-' or '@'"
        ))
    })
}

/// Refuse a role that does not fit the organisation (docs/spec/api.md): an admin belongs to
/// none; every other role to one; a regulator to a province or a ministry; an `isp` account to
/// an ISP, and an ISP's accounts are `isp` ones (or assessors and auditors).
fn check_role_fits(role: Role, org: Option<&crate::Org>) -> Result<()> {
    match (role, org) {
        (Role::Admin, Some(o)) => Err(StoreError::invalid(format!(
            "an admin account belongs to no organisation (drop --org {})",
            o.code
        ))),
        (Role::Admin, None) => Ok(()),
        (r, None) => Err(StoreError::invalid(format!(
            "a {r} account belongs to an organisation: give --org CODE"
        ))),
        (Role::Regulator, Some(o)) if !matches!(o.kind, OrgKind::Province | OrgKind::Ministry) => {
            Err(StoreError::invalid(format!(
                "a regulator account belongs to a province or a ministry; {} is {}",
                o.code,
                o.kind.as_str()
            )))
        }
        (Role::Isp, Some(o)) if o.kind != OrgKind::Isp => Err(StoreError::invalid(format!(
            "an isp account belongs to an organisation of kind isp; {} is {}",
            o.code,
            o.kind.as_str()
        ))),
        (Role::Unit | Role::Regulator, Some(o)) if o.kind == OrgKind::Isp => {
            Err(StoreError::invalid(format!(
                "{} is an ISP: its accounts have the isp role (or assessor, auditor)",
                o.code
            )))
        }
        _ => Ok(()),
    }
}

fn weak(e: camguard_auth::WeakPassword) -> StoreError {
    StoreError::WeakPassword(e)
}

impl Store {
    /// Create an account. The username must be new, the password pass the policy, the
    /// organisation exist and fit the role. Recorded in the audit log (`user.add`).
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        org: Option<&str>,
        password: &Password,
        actor: &Actor,
    ) -> Result<User> {
        let name = username(name)?;
        check_password(&name, password).map_err(weak)?;
        let org = match org {
            Some(code) => Some(self.org(code).await?),
            None => None,
        };
        check_role_fits(role, org.as_ref())?;
        let hash = hash_password(password).await?;
        let at = now();
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "account {name} already exists"
            )));
        }
        sqlx::query(
            "INSERT INTO users (username, role, org_id, password_hash, disabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $5)",
        )
        .bind(&name)
        .bind(role.as_str())
        .bind(org.as_ref().map(|o| o.id))
        .bind(&hash)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let user = user_in(&mut tx, &name).await?;
        append_in(
            &mut tx,
            &NewAudit {
                actor,
                action: "user.add",
                subject: &format!("user:{name}"),
                before: None,
                after: Some(user.audit()),
                org_id: user.org_id,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Every account, by username.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN orgs o ON o.id = u.org_id ORDER BY u.username"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_user).collect()
    }

    /// One account.
    pub async fn user(&self, name: &str) -> Result<User> {
        let name = username(name)?;
        let mut conn = self.pool().acquire().await?;
        user_in(&mut conn, &name).await
    }

    /// Disable an account: it can no longer log in, and its tokens and sessions stop working
    /// (its sessions are ended). Recorded (`user.disable`); disabling a disabled account
    /// changes and records nothing.
    pub async fn disable_user(&self, name: &str, actor: &Actor) -> Result<User> {
        let name = username(name)?;
        let mut tx = self.begin_write().await?;
        let before = user_in(&mut tx, &name).await?;
        if before.disabled {
            return Ok(before);
        }
        sqlx::query("UPDATE users SET disabled = 1, updated_at = $1 WHERE id = $2")
            .bind(now())
            .bind(before.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(before.id)
            .execute(&mut *tx)
            .await?;
        let after = user_in(&mut tx, &name).await?;
        append_in(
            &mut tx,
            &NewAudit {
                actor,
                action: "user.disable",
                subject: &format!("user:{name}"),
                before: Some(before.audit()),
                after: Some(after.audit()),
                org_id: after.org_id,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Set a new password (policy checked); the account's sessions end. Recorded
    /// (`user.passwd`, without the password).
    pub async fn set_password(
        &self,
        name: &str,
        password: &Password,
        actor: &Actor,
    ) -> Result<User> {
        let name = username(name)?;
        check_password(&name, password).map_err(weak)?;
        // Named before the slow hash when it does not exist.
        self.user(&name).await?;
        let hash = hash_password(password).await?;
        let mut tx = self.begin_write().await?;
        let user = user_in(&mut tx, &name).await?;
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(&hash)
            .bind(now())
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        let after = user_in(&mut tx, &name).await?;
        append_in(
            &mut tx,
            &NewAudit {
                actor,
                action: "user.passwd",
                subject: &format!("user:{name}"),
                before: None,
                after: Some(json!({"username": name, "password_changed": true})),
                org_id: after.org_id,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The account whose password this is, or `None` (unknown username, wrong password,
    /// disabled account: the caller cannot tell which, and each takes one Argon2id check).
    pub async fn verify_password(&self, name: &str, password: &Password) -> Result<Option<User>> {
        let stored = match valid_username(name) {
            Some(name) => sqlx::query(&format!(
                "SELECT {USER_COLUMNS}, u.password_hash FROM users u LEFT JOIN orgs o ON o.id = u.org_id WHERE u.username = $1"
            ))
            .bind(name)
            .fetch_optional(self.pool())
            .await?,
            None => None,
        };
        let Some(row) = stored else {
            verify_unknown_user(password).await?;
            return Ok(None);
        };
        let user = read_user(&row)?;
        let hash: String = row.try_get("password_hash")?;
        let ok = verify_password(&hash, password).await?;
        Ok((ok && !user.disabled).then_some(user))
    }

    /// A new API token for an account (not a disabled one), valid for `days` days (1 to
    /// [`MAX_TOKEN_DAYS`]). Only its hash is stored; the token is in the answer, once.
    /// Recorded (`token.create`, without the token).
    pub async fn create_token(&self, name: &str, days: u32, actor: &Actor) -> Result<NewToken> {
        let name = username(name)?;
        if !(1..=MAX_TOKEN_DAYS).contains(&days) {
            return Err(StoreError::invalid(format!(
                "a token lives 1 to {MAX_TOKEN_DAYS} days, not {days}"
            )));
        }
        let secret = new_secret(TOKEN_PREFIX);
        let expires_at = later(time::Duration::days(i64::from(days)));
        let mut tx = self.begin_write().await?;
        let user = user_in(&mut tx, &name).await?;
        if user.disabled {
            return Err(StoreError::invalid(format!(
                "account {name} is disabled: no token for it"
            )));
        }
        let row = sqlx::query(
            "INSERT INTO api_tokens (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user.id)
        .bind(&secret.hash)
        .bind(now())
        .bind(&expires_at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        append_in(
            &mut tx,
            &NewAudit {
                actor,
                action: "token.create",
                subject: &format!("token:{id}"),
                before: None,
                after: Some(json!({"token_id": id, "username": name, "expires_at": expires_at})),
                org_id: user.org_id,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(NewToken {
            id,
            username: name,
            token: secret.text,
            expires_at,
        })
    }

    /// Revoke an API token. Recorded (`token.revoke`); revoking a revoked token changes and
    /// records nothing.
    pub async fn revoke_token(&self, id: i64, actor: &Actor) -> Result<TokenRow> {
        let mut tx = self.begin_write().await?;
        let before = token_in(&mut tx, id).await?;
        if before.revoked_at.is_some() {
            return Ok(before);
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = token_in(&mut tx, id).await?;
        let owner = user_in(&mut tx, &after.username).await?;
        let audit = |t: &TokenRow| json!({"token_id": t.id, "username": t.username, "expires_at": t.expires_at, "revoked_at": t.revoked_at});
        append_in(
            &mut tx,
            &NewAudit {
                actor,
                action: "token.revoke",
                subject: &format!("token:{id}"),
                before: Some(audit(&before)),
                after: Some(audit(&after)),
                org_id: owner.org_id,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The API tokens of an account (or of all), newest first; never the tokens themselves.
    pub async fn tokens(&self, name: Option<&str>) -> Result<Vec<TokenRow>> {
        let name = name.map(username).transpose()?;
        let rows = sqlx::query(
            "SELECT t.id, u.username, t.created_at, t.expires_at, t.revoked_at FROM api_tokens t \
             JOIN users u ON u.id = t.user_id WHERE ($1 = '' OR u.username = $1) ORDER BY t.id DESC",
        )
        .bind(name.unwrap_or_default())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(read_token).collect()
    }

    /// The account a bearer token stands for: `None` when the token is unknown, revoked,
    /// expired, or its account disabled.
    pub async fn user_for_token(&self, token: &str) -> Result<Option<User>> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             LEFT JOIN orgs o ON o.id = u.org_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.disabled = 0"
        ))
        .bind(hash_secret(token))
        .bind(now())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(read_user).transpose()
    }

    /// Start a session for an account (not a disabled one) lasting `ttl`. Only the session
    /// id's hash is stored.
    pub async fn create_session(&self, name: &str, ttl: std::time::Duration) -> Result<NewSession> {
        let user = self.user(name).await?;
        if user.disabled {
            return Err(StoreError::invalid(format!(
                "account {} is disabled",
                user.username
            )));
        }
        let id = new_secret("");
        let csrf = new_secret("");
        let ttl = time::Duration::try_from(ttl)
            .map_err(|_| StoreError::invalid("session lifetime out of range"))?;
        let expires_at = later(ttl);
        sqlx::query(
            "INSERT INTO sessions (session_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id.hash)
        .bind(user.id)
        .bind(&csrf.text)
        .bind(now())
        .bind(&expires_at)
        .execute(self.pool())
        .await?;
        Ok(NewSession {
            id: id.text,
            csrf_token: csrf.text,
            expires_at,
        })
    }

    /// The live session with this id: `None` when unknown, ended, expired, or its account
    /// disabled.
    pub async fn session(&self, id: &str) -> Result<Option<SessionUser>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at AS session_expires FROM sessions s \
             JOIN users u ON u.id = s.user_id LEFT JOIN orgs o ON o.id = u.org_id \
             WHERE s.session_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
        ))
        .bind(hash_secret(id))
        .bind(now())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(SessionUser {
                user: read_user(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: r.try_get("session_expires")?,
            })
        })
        .transpose()
    }

    /// End a session (logout); ending an unknown one does nothing.
    pub async fn end_session(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE session_hash = $1")
            .bind(hash_secret(id))
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

async fn user_in(conn: &mut sqlx::AnyConnection, name: &str) -> Result<User> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users u LEFT JOIN orgs o ON o.id = u.org_id WHERE u.username = $1"
    ))
    .bind(name)
    .fetch_optional(conn)
    .await?;
    match row {
        Some(r) => read_user(&r),
        None => Err(StoreError::not_found(format!("no account {name}"))),
    }
}

fn read_token(r: &sqlx::any::AnyRow) -> Result<TokenRow> {
    Ok(TokenRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

async fn token_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<TokenRow> {
    let row = sqlx::query(
        "SELECT t.id, u.username, t.created_at, t.expires_at, t.revoked_at FROM api_tokens t \
         JOIN users u ON u.id = t.user_id WHERE t.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    match row {
        Some(r) => read_token(&r),
        None => Err(StoreError::not_found(format!("no API token {id}"))),
    }
}
