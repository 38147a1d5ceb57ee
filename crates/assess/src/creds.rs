//! Default-credential checks, protocol-independent part: the try order, the failure budget and
//! pacing, and the control (a random user and password must be refused, otherwise the device
//! accepts anything and nothing is reported).

use crate::budget::{Budget, Refusal};
use crate::data::Login;
use crate::{Cred, Ctx, Found, http, onvif, rtsp, shell};
use camguard_model::Secret;
use serde_json::{Value, json};

/// Where a credential is tried.
#[derive(Clone, Debug)]
pub enum Target {
    /// HTTP Basic/Digest on a path that answered 401.
    HttpAuth {
        port: u16,
        tls: bool,
        path: String,
        success_contains: Vec<String>,
    },
    /// A vendor web login (form, JSON, Dahua RPC2_Login).
    HttpLogin {
        port: u16,
        tls: bool,
        login: Login,
    },
    /// RTSP DESCRIBE on a route that asks for credentials.
    Rtsp {
        port: u16,
        route: String,
    },
    /// ONVIF GetDeviceInformation with WS-UsernameToken (or HTTP Digest when the endpoint
    /// answers 401).
    Onvif {
        port: u16,
        tls: bool,
        path: String,
        offset_secs: i64,
        http_digest: bool,
    },
    Telnet {
        port: u16,
    },
    Ftp {
        port: u16,
    },
}

impl Target {
    /// The `<proto>` of `default-credential:<proto>`.
    pub fn protocol(&self) -> &'static str {
        match self {
            Target::HttpAuth { .. } | Target::HttpLogin { .. } => "http",
            Target::Rtsp { .. } => "rtsp",
            Target::Onvif { .. } => "onvif",
            Target::Telnet { .. } => "telnet",
            Target::Ftp { .. } => "ftp",
        }
    }

    pub fn port(&self) -> u16 {
        match self {
            Target::HttpAuth { port, .. }
            | Target::HttpLogin { port, .. }
            | Target::Rtsp { port, .. }
            | Target::Onvif { port, .. }
            | Target::Telnet { port }
            | Target::Ftp { port } => *port,
        }
    }
}

/// The outcome of one login attempt.
#[derive(Clone, Debug)]
pub(crate) enum Attempt {
    /// A success status (2xx, FTP 230, a shell prompt), with evidence of the exchange.
    Success(Value),
    /// Refused (401, 530, "Login incorrect", a 404 or any other non-success status).
    Failure(String),
    /// The device says it is throttling or locked (403, 423, 429, a lock message): stop.
    Blocked(String),
    /// No usable answer (connection, timeout, garbage).
    Error(String),
}

/// One attempt of `user`/`password` at `target`.
pub(crate) async fn attempt(
    ctx: &Ctx<'_>,
    target: &Target,
    user: &str,
    password: &Secret,
) -> Attempt {
    if ctx.expired() {
        return Attempt::Error("assessment deadline reached".into());
    }
    match target {
        Target::HttpAuth { .. } | Target::HttpLogin { .. } => {
            http::attempt(ctx, target, user, password).await
        }
        Target::Rtsp { port, route } => rtsp::attempt(ctx, *port, route, user, password).await,
        Target::Onvif { .. } => onvif::attempt(ctx, target, user, password).await,
        Target::Telnet { port } => shell::telnet_attempt(ctx, *port, user, password).await,
        Target::Ftp { port } => shell::ftp_attempt(ctx, *port, user, password).await,
    }
}

/// A user and password no device has.
pub(crate) fn random_cred() -> (String, Secret) {
    let r: u64 = rand::random();
    (
        format!("cg{:06x}", r & 0xff_ffff),
        Secret::new(format!("Cg-{:012x}!", r >> 16)),
    )
}

/// What the control attempt showed.
enum Control {
    Refused(String),
    Accepted,
    NotRun(String),
}

/// Try the knowledge base's credentials for the target's protocol, within `budget`. Adds a
/// `default-credential:<proto>` finding and returns `true` when one works and a random
/// credential does not.
pub(crate) async fn check(ctx: &Ctx<'_>, target: Target, budget: &mut Budget) -> bool {
    let proto = target.protocol();
    let creds = ctx.creds(proto);
    let total = creds.len();
    let mut errors = 0;
    for (i, c) in creds.into_iter().enumerate() {
        if ctx.expired() {
            ctx.note(format!(
                "{proto}: deadline reached after {i} of {total} credential pairs"
            ));
            break;
        }
        match budget.acquire(ctx.deadline).await {
            Ok(()) => {}
            Err(Refusal::Exhausted) => {
                ctx.note(format!(
                    "{proto}/{}: failed-login budget ({}) used after {i} of {total} credential pairs; the rest were not tried",
                    target.port(),
                    ctx.opts.credential_budget
                ));
                break;
            }
            Err(Refusal::Deadline) => {
                ctx.note(format!(
                    "{proto}/{}: pacing (never 5 failures in 30 s) would pass the deadline; stopped after {i} of {total}",
                    target.port()
                ));
                break;
            }
        }
        match attempt(ctx, &target, &c.user, &c.password).await {
            Attempt::Success(ev) => {
                budget.succeeded();
                let failures_before = budget.failures();
                let control = control(ctx, &target, budget).await;
                budget.settle();
                return match control {
                    Control::Accepted => {
                        ctx.note(format!(
                            "{proto}/{}: a random user and password are accepted too; the device accepts anything, so no default credential is reported",
                            target.port()
                        ));
                        false
                    }
                    Control::Refused(desc) | Control::NotRun(desc) => {
                        report(
                            ctx,
                            &target,
                            &c,
                            ev,
                            failures_before,
                            budget.attempts,
                            &desc,
                        );
                        true
                    }
                };
            }
            Attempt::Failure(_) => {}
            Attempt::Blocked(why) => {
                ctx.note(format!(
                    "{proto}/{}: the device refuses further logins ({why}); stopped",
                    target.port()
                ));
                break;
            }
            Attempt::Error(e) => {
                errors += 1;
                if errors >= 2 {
                    ctx.note(format!(
                        "{proto}/{}: no usable answer to login attempts ({e}); stopped",
                        target.port()
                    ));
                    break;
                }
            }
        }
    }
    budget.settle();
    false
}

async fn control(ctx: &Ctx<'_>, target: &Target, budget: &mut Budget) -> Control {
    match budget.acquire(ctx.deadline).await {
        Ok(()) => {}
        Err(r) => {
            return Control::NotRun(format!(
                "control not run ({r:?}); the success is reported unverified"
            ));
        }
    }
    let (u, p) = random_cred();
    match attempt(ctx, target, &u, &p).await {
        Attempt::Success(_) => Control::Accepted,
        Attempt::Failure(s) | Attempt::Blocked(s) => {
            Control::Refused(format!("a random user and password were refused ({s})"))
        }
        Attempt::Error(e) => {
            Control::Refused(format!("a random user and password got no success ({e})"))
        }
    }
}

fn report(
    ctx: &Ctx<'_>,
    target: &Target,
    c: &Cred,
    ev: Value,
    failures_before: usize,
    attempts: usize,
    control: &str,
) {
    let proto = target.protocol();
    let mut e = json!({
        "protocol": proto,
        "port": target.port(),
        "username": c.user,
        "password": c.password.to_json(ctx.opts.reveal_secrets),
        "failed_attempts_before": failures_before,
        "attempts": attempts,
        "control": control,
        "credential_source": c.source,
    });
    if let (Some(m), Value::Object(extra)) = (e.as_object_mut(), ev) {
        for (k, v) in extra {
            m.entry(k).or_insert(v);
        }
    }
    ctx.add(
        &format!("default-credential:{proto}"),
        Some(target.port()),
        e,
    );
    if let Ok(mut f) = ctx.found.lock() {
        f.entry(proto.to_string()).or_insert(Found {
            target: target.clone(),
            cred: c.clone(),
        });
    }
}
