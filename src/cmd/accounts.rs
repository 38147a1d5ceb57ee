//! `camguard user` and `camguard audit`: accounts, API tokens and the audit log. Passwords
//! come from standard input only; a new token is printed once; nothing else ever shows a
//! password, a token or a hash.

use crate::cli_accounts::{AuditArgs, AuditCommand, RoleArg, UserArgs, UserCommand};
use crate::cli_registry::OutFormat;
use crate::cmd::registry::{Table, changed, create_store, json, open_store};
use crate::errors::OrExit;
use crate::{exit, usage};
use camguard_store::{Actor, Password, Role, User};
use std::io::Read;

/// Exit status of `audit verify` when the chain is broken.
pub const AUDIT_BROKEN: u8 = 7;

/// Longest standard input read for a password, in bytes.
const MAX_PASSWORD_INPUT: u64 = 4096;

fn role(r: RoleArg) -> Role {
    match r {
        RoleArg::Admin => Role::Admin,
        RoleArg::Regulator => Role::Regulator,
        RoleArg::Unit => Role::Unit,
        RoleArg::Isp => Role::Isp,
        RoleArg::Assessor => Role::Assessor,
        RoleArg::Auditor => Role::Auditor,
    }
}

fn actor() -> Actor {
    Actor::cli(crate::env::user().as_deref())
}

/// The password on standard input: its first line, without the line end.
fn password_from_stdin() -> anyhow::Result<Password> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_PASSWORD_INPUT)
        .read_to_end(&mut buf)
        .map_err(|e| usage(format!("cannot read the password from standard input: {e}")))?;
    let text = String::from_utf8(buf)
        .map_err(|_| usage("the password on standard input is not UTF-8 text"))?;
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        return Err(usage(
            "no password on standard input (give it on the first line, e.g. `printf '%s\\n' \"$PASSWORD\" | camguard user add …`)",
        ));
    }
    Ok(Password::new(line))
}

/// The policy's verdict in the chosen language (the store checks again at its boundary).
fn check_policy(username: &str, password: &Password) -> anyhow::Result<()> {
    camguard_auth::check_password(username, password)
        .map_err(|w| usage(crate::i18n::pick(&w.vi(), &w.en())))
}

fn user_line(verb: &str, u: &User) -> String {
    format!(
        "{verb} account {} ({}{}){}",
        u.username,
        u.role,
        u.org.as_ref().map(|o| format!(", {o}")).unwrap_or_default(),
        if u.disabled { ", disabled" } else { "" }
    )
}

pub async fn user(args: UserArgs) -> anyhow::Result<u8> {
    // The first account may be created on a new registry (there is no default one).
    let store = match args.command {
        UserCommand::Add { .. } => create_store(&args.db).await?,
        _ => open_store(&args.db).await?,
    };
    match args.command {
        UserCommand::Add {
            username,
            role: r,
            org,
            password_stdin: _,
            format,
        } => {
            let password = password_from_stdin()?;
            check_policy(&username, &password)?;
            let u = store
                .add_user(&username, role(r), org.as_deref(), &password, &actor())
                .await
                .or_exit()?;
            changed(format, &u, || user_line("added", &u))?;
        }
        UserCommand::List { format } => {
            let users = store.users().await.or_exit()?;
            match format {
                OutFormat::Json => json(&users)?,
                OutFormat::Table => {
                    let mut t = Table::new(&["USERNAME", "ROLE", "ORG", "STATE", "CREATED"]);
                    for u in &users {
                        t.row(vec![
                            u.username.clone(),
                            u.role.to_string(),
                            u.org.clone().unwrap_or_else(|| "-".into()),
                            if u.disabled { "disabled" } else { "active" }.into(),
                            u.created_at.clone(),
                        ]);
                    }
                    t.print()?;
                }
            }
        }
        UserCommand::Disable { username, format } => {
            let u = store.disable_user(&username, &actor()).await.or_exit()?;
            changed(format, &u, || user_line("disabled", &u))?;
        }
        UserCommand::Passwd {
            username,
            password_stdin: _,
        } => {
            let password = password_from_stdin()?;
            check_policy(&username, &password)?;
            let u = store
                .set_password(&username, &password, &actor())
                .await
                .or_exit()?;
            println!("password of {} changed; its sessions ended", u.username);
        }
        UserCommand::Token {
            username,
            expires_days,
            format,
        } => {
            let t = store
                .create_token(&username, expires_days, &actor())
                .await
                .or_exit()?;
            match format {
                OutFormat::Json => json(&t)?,
                OutFormat::Table => println!("{}", t.token),
            }
            eprintln!(
                "camguard: API token {} for {} until {}; it is shown only now: keep it (revoke it with `camguard user revoke-token {}`)",
                t.id, t.username, t.expires_at, t.id
            );
        }
        UserCommand::Assign { username, org } => {
            let u = store
                .assign_org(&username, &org, &actor())
                .await
                .or_exit()?;
            let all = store.assignments(&u.username).await.or_exit()?;
            eprintln!(
                "camguard: {}",
                crate::tr!(
                    "user-assigned",
                    user = u.username.as_str(),
                    orgs = all.join(", ")
                )
            );
        }
        UserCommand::RevokeToken { id, format } => {
            let t = store.revoke_token(id, &actor()).await.or_exit()?;
            changed(format, &t, || {
                format!(
                    "API token {} of {} revoked ({})",
                    t.id,
                    t.username,
                    t.revoked_at.as_deref().unwrap_or("-")
                )
            })?;
        }
    }
    store.close().await;
    Ok(exit::OK)
}

/// RFC 3339 with any offset → the stored form (UTC, seconds, `Z`).
fn since_text(s: &str) -> anyhow::Result<String> {
    use time::format_description::well_known::Rfc3339;
    let t = time::OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|_| {
        usage(format!(
            "--since: {s:?} is not an RFC 3339 time (e.g. 2026-01-31T00:00:00Z or 2026-01-31T07:00:00+07:00)"
        ))
    })?;
    let t = t.to_offset(time::UtcOffset::UTC);
    Ok(t.replace_nanosecond(0).unwrap_or(t).format(&Rfc3339)?)
}

fn compact(v: Option<&serde_json::Value>) -> String {
    v.map_or_else(|| "-".into(), serde_json::Value::to_string)
}

pub async fn audit(args: AuditArgs) -> anyhow::Result<u8> {
    let store = open_store(&args.db).await?;
    let code = match args.command {
        AuditCommand::Verify { format } => {
            let check = store.verify_audit().await.or_exit()?;
            if format == OutFormat::Json {
                json(&check)?;
            }
            match &check.first_bad {
                None => {
                    if format == OutFormat::Table {
                        println!("audit log intact: {} entries", check.entries);
                    }
                    exit::OK
                }
                Some(bad) => {
                    eprintln!("camguard: audit log broken at entry {}: {bad}", bad.id);
                    AUDIT_BROKEN
                }
            }
        }
        AuditCommand::List { since, format } => {
            let since = since.as_deref().map(since_text).transpose()?;
            let entries = store.audit_log(since.as_deref()).await.or_exit()?;
            match format {
                OutFormat::Json => json(&entries)?,
                OutFormat::Table => {
                    let mut t =
                        Table::new(&["ID", "AT", "ACTOR", "CLIENT", "ACTION", "SUBJECT", "AFTER"]);
                    for e in &entries {
                        t.row(vec![
                            e.id.to_string(),
                            e.at.clone(),
                            e.actor.clone(),
                            e.client.clone().unwrap_or_else(|| "-".into()),
                            e.action.clone(),
                            e.subject.clone(),
                            compact(e.after.as_ref()),
                        ]);
                    }
                    t.print()?;
                }
            }
            exit::OK
        }
    };
    store.close().await;
    Ok(code)
}
