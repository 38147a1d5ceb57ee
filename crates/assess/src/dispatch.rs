//! One login attempt at any [`Target`], by its protocol: for checks that hold a target found
//! by another check (the opt-in lockout test) and for `try_login` (lib.rs). The checks
//! themselves call their own protocol's attempt function directly.

use crate::creds::{Attempt, Target};
use crate::ctx::Ctx;
use crate::{http, onvif, rtsp, shell};
use camguard_model::Secret;

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
