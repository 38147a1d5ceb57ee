//! Opt-in (`Intrusive::Lockout`): does the device throttle repeated failed logins?
//! Six wrong passwords for the working account within 30 s on one protocol, then the working
//! credential (found earlier in this scan): still accepted → `no-login-lockout`. The device may
//! lock that account for minutes (that is what QĐ 724 asks of it); the user was warned.

use crate::budget::LOCKOUT_WINDOW;
use crate::creds::{self, Attempt};
use crate::ctx::Ctx;
use crate::dispatch;
use camguard_model::Secret;
use serde_json::json;
use tokio::time::Instant;

/// Wrong passwords sent (one more than the QĐ 724 threshold of 5).
pub const WRONG_ATTEMPTS: usize = 6;

pub(crate) async fn run(ctx: &Ctx<'_>) {
    let found = ctx.found.lock().map(|f| f.clone()).unwrap_or_default();
    let Some(f) = ["http", "rtsp", "onvif", "telnet", "ftp"]
        .iter()
        .find_map(|p| found.get(*p))
    else {
        ctx.note("no-login-lockout not tested: it needs a working credential found by this scan");
        return;
    };
    let proto = f.target.protocol();
    let start = Instant::now();
    let mut outcomes = Vec::new();
    for _ in 0..WRONG_ATTEMPTS {
        if ctx.expired() {
            ctx.note("no-login-lockout not concluded: deadline");
            return;
        }
        let (_, wrong) = creds::random_cred();
        let o = dispatch::attempt(ctx, &f.target, &f.cred.user, &wrong).await;
        outcomes.push(match &o {
            Attempt::Success(_) => "success".to_string(),
            Attempt::Failure(s) | Attempt::Blocked(s) | Attempt::Error(s) => s.clone(),
        });
        if let Attempt::Success(_) = o {
            ctx.note(format!(
                "no-login-lockout not concluded: {proto} accepted a wrong password"
            ));
            return;
        }
    }
    let elapsed = start.elapsed();
    if elapsed > LOCKOUT_WINDOW {
        ctx.note(format!("no-login-lockout not concluded: the {WRONG_ATTEMPTS} failures took {} s (more than 30 s)", elapsed.as_secs()));
        return;
    }
    let good: &Secret = &f.cred.password;
    match dispatch::attempt(ctx, &f.target, &f.cred.user, good).await {
        Attempt::Success(_) => ctx.add(
            "no-login-lockout",
            Some(f.target.port()),
            json!({
                "protocol": proto,
                "wrong_attempts": WRONG_ATTEMPTS,
                "within_seconds": elapsed.as_secs_f32(),
                "replies": outcomes,
                "then": "the working credential was still accepted (no lock after 5 failures in 30 s)",
                "username": f.cred.user,
            }),
        ),
        other => ctx.note(format!(
            "{proto}/{}: login locked or throttled after {WRONG_ATTEMPTS} failures ({other:?}); lockout is in place (the account may stay locked for minutes)",
            f.target.port()
        )),
    }
}
