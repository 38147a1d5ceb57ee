//! RTSP checks: route discovery that is not fooled by servers answering 200 to every path (a
//! random route is asked first), open streams (confirmed by one RTP packet when the frame check
//! is on), Basic offered, default credentials.

use crate::auth;
use crate::budget::Budget;
use crate::creds::{Attempt, Target};
use crate::ctx::Ctx;
use crate::evidence::{redact_url_credentials, request_summary, response_summary};
use crate::login;
use camguard_model::Secret;
use camguard_probe::{Challenge, HttpResponse, RtspSession, parse_www_authenticate};
use serde_json::json;
use std::time::Duration;

/// How long the frame check waits for the first RTP packet.
pub const FRAME_WAIT: Duration = Duration::from_secs(2);

/// How the server treats an unknown route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// 200 to a random path: DESCRIBE proves nothing.
    AnswersAll,
    /// 401 to a random path: credentials are asked before the route is looked at.
    AuthFirst,
    /// 404 (or another refusal) to a random path: routes can be told apart.
    Distinct,
}

pub(crate) async fn run(ctx: &Ctx<'_>) {
    let ports = ctx.ports_with(&["rtsp"]);
    let mut budget = Budget::new(ctx.opts.credential_budget, ctx.opts.attempt_interval);
    for port in ports {
        if ctx.expired() {
            return;
        }
        check_port(ctx, port, &mut budget).await;
    }
}

/// `/` first (the route many servers use), then the knowledge base's routes for the vendor.
/// Routes that carry credentials in the URL (`user=…&password=…`) are left out: asking them is
/// a login, not route discovery.
fn routes(ctx: &Ctx<'_>, port: u16) -> Vec<String> {
    // Stream paths ONVIF named for this port come first.
    let mut v: Vec<String> = ctx
        .stream_paths
        .lock()
        .map(|s| {
            s.iter()
                .filter(|(p, _)| *p == port)
                .map(|(_, x)| x.clone())
                .collect()
        })
        .unwrap_or_default();
    let onvif = v.len();
    if !v.iter().any(|x| x == "/") {
        v.push("/".to_string());
    }
    for r in ctx.kb.rtsp_routes_for(ctx.vendor()) {
        let lower = r.path.to_ascii_lowercase();
        if lower.contains("password=") || lower.contains("user=") || v.contains(&r.path) {
            continue;
        }
        v.push(r.path.clone());
    }
    v.truncate(ctx.opts.rtsp_routes.saturating_add(1 + onvif));
    v
}

fn has_video(body: &[u8]) -> bool {
    String::from_utf8_lossy(body)
        .lines()
        .any(|l| l.trim_start().starts_with("m=video"))
}

fn challenges(r: &HttpResponse) -> (Vec<Challenge>, Vec<String>) {
    let raw: Vec<String> = r
        .headers_named("www-authenticate")
        .map(str::to_string)
        .collect();
    (
        raw.iter()
            .flat_map(|v| parse_www_authenticate(v))
            .filter(|c| c.is_basic() || c.is_digest())
            .collect(),
        raw,
    )
}

async fn describe(
    s: &mut RtspSession,
    path: &str,
    auth: Option<&str>,
) -> Result<HttpResponse, String> {
    let url = s.url(path);
    let mut h: Vec<(&str, &str)> = vec![("Accept", "application/sdp")];
    if let Some(a) = auth {
        h.push(("Authorization", a));
    }
    s.request("DESCRIBE", &url, &h)
        .await
        .map_err(|e| e.to_string())
}

/// A session that can carry another request (reconnecting when needed).
async fn session<'s>(
    ctx: &Ctx<'_>,
    port: u16,
    slot: &'s mut Option<RtspSession>,
) -> Option<&'s mut RtspSession> {
    if slot.as_ref().is_none_or(|s| !s.is_usable()) {
        *slot = RtspSession::connect(ctx.ip, port, &ctx.cfg()).await.ok();
    }
    slot.as_mut()
}

async fn check_port(ctx: &Ctx<'_>, port: u16, budget: &mut Budget) {
    let mut slot: Option<RtspSession> = None;
    let random = format!("/camguard-{:08x}", rand::random::<u32>());
    let Some(s) = session(ctx, port, &mut slot).await else {
        return;
    };
    let first = match describe(s, &random, None).await {
        Ok(r) => r,
        Err(e) => {
            ctx.note(format!("rtsp/{port}: DESCRIBE of a random route: {e}"));
            return;
        }
    };
    let mode = match first.status {
        200 => Mode::AnswersAll,
        401 => Mode::AuthFirst,
        _ => Mode::Distinct,
    };
    let mut basic: Option<(String, Vec<String>)> = None;
    let mut note_basic = |path: &str, r: &HttpResponse| {
        let (ch, raw) = challenges(r);
        if basic.is_none() && ch.iter().any(Challenge::is_basic) {
            basic = Some((path.to_string(), raw));
        }
    };
    if first.status == 401 {
        note_basic(&random, &first);
    }
    let routes = routes(ctx, port);
    let mut open = false;
    let mut auth_route: Option<String> = None;
    match mode {
        Mode::AnswersAll => {
            if ctx.opts.frame_check {
                for route in routes.iter().filter(|r| *r != "/").take(2) {
                    if ctx.expired() {
                        break;
                    }
                    if let Ok(Some(ev)) = frame_check(ctx, port, route).await {
                        {
                            ctx.add(
                                "unauthenticated-rtsp-stream",
                                Some(port),
                                json!({
                                    "route": route,
                                    "url": redact_url_credentials(&format!("rtsp://{}:{port}{route}", ctx.ip)),
                                    "random_route": format!("{random} answered 200: the server answers every path, so only a received RTP packet counts"),
                                    "frame_check": ev,
                                }),
                            );
                            open = true;
                            break;
                        }
                    }
                }
                if !open {
                    ctx.note(format!(
                        "rtsp/{port}: answers 200 to any path (random route {random}) and no route delivered RTP: not an open stream"
                    ));
                }
            } else {
                ctx.note(format!("rtsp/{port}: answers 200 to a random route; without the frame check no stream is reported"));
            }
        }
        Mode::AuthFirst => {
            auth_route = routes
                .iter()
                .find(|r| *r != "/")
                .or(routes.first())
                .cloned();
        }
        Mode::Distinct => {
            for route in &routes {
                if ctx.expired() {
                    break;
                }
                let Some(s) = session(ctx, port, &mut slot).await else {
                    break;
                };
                let Ok(r) = describe(s, route, None).await else {
                    slot = None;
                    continue;
                };
                match r.status {
                    200 if has_video(&r.body) => {
                        let ev = if ctx.opts.frame_check {
                            match frame_check(ctx, port, route).await {
                                Ok(Some(ev)) => Some(ev),
                                Ok(None) => {
                                    ctx.note(format!(
                                        "rtsp/{port}: {route} answered DESCRIBE 200 but no RTP packet came within {} s",
                                        FRAME_WAIT.as_secs()
                                    ));
                                    None
                                }
                                Err(e) => {
                                    ctx.note(format!("rtsp/{port}: frame check of {route}: {e}"));
                                    None
                                }
                            }
                        } else {
                            Some(json!("not run (profile)"))
                        };
                        if let Some(ev) = ev {
                            ctx.add(
                                "unauthenticated-rtsp-stream",
                                Some(port),
                                json!({
                                    "route": route,
                                    "url": redact_url_credentials(&format!("rtsp://{}:{port}{route}", ctx.ip)),
                                    "request": format!("DESCRIBE rtsp://{}:{port}{route} RTSP/1.0", ctx.ip),
                                    "response": response_summary("RTSP/1.0", &r, false),
                                    "sdp_has_video": true,
                                    "random_route": format!("{random} answered {}", first.status),
                                    "frame_check": ev,
                                }),
                            );
                            open = true;
                            break;
                        }
                    }
                    401 => {
                        note_basic(route, &r);
                        if auth_route.is_none() {
                            auth_route = Some(route.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    drop(slot);
    // What the identification saw (DESCRIBE of the root).
    if basic.is_none()
        && ctx
            .obs_on(port, camguard_probe::keys::RTSP_AUTH_SCHEME)
            .any(|s| s.eq_ignore_ascii_case("basic"))
    {
        basic = Some((
            "/".into(),
            ctx.obs_on(port, "rtsp.header.www-authenticate")
                .map(str::to_string)
                .collect(),
        ));
    }
    if let Some((path, raw)) = basic {
        ctx.add(
            "rtsp-basic-auth-cleartext",
            Some(port),
            json!({ "route": path, "www_authenticate": raw }),
        );
    }
    if let Some(route) = auth_route
        && !open
    {
        let target = Target::Rtsp {
            port,
            route: route.clone(),
        };
        let r = route.as_str();
        login::check(
            ctx,
            &target,
            budget,
            move |u: String, p: Secret| async move { attempt(ctx, port, r, &u, &p).await },
        )
        .await;
    }
}

/// Parse the SDP: (session-level control, control of the first video track).
fn sdp_controls(sdp: &str) -> (Option<String>, Option<String>) {
    let mut session = None;
    let mut video = None;
    let mut section: Option<bool> = None; // None = session level, Some(is_video)
    for l in sdp.lines().map(str::trim) {
        if let Some(m) = l.strip_prefix("m=") {
            if video.is_some() {
                break;
            }
            section = Some(m.starts_with("video"));
            continue;
        }
        if let Some(c) = l.strip_prefix("a=control:") {
            match section {
                None => session = Some(c.trim().to_string()),
                Some(true) if video.is_none() => video = Some(c.trim().to_string()),
                _ => {}
            }
        }
    }
    (session, video)
}

fn join(base: &str, control: &str) -> String {
    if control.to_ascii_lowercase().starts_with("rtsp://") {
        control.to_string()
    } else if control.is_empty() || control == "*" {
        base.to_string()
    } else {
        format!(
            "{}/{}",
            base.trim_end_matches('/'),
            control.trim_start_matches('/')
        )
    }
}

/// DESCRIBE, SETUP, PLAY, wait at most [`FRAME_WAIT`] for one RTP packet, TEARDOWN. RTP
/// interleaved on the RTSP connection first; when the server refuses that transport, RTP over
/// UDP to this host (unicast). `Ok(Some(evidence))` when a packet came.
pub(crate) async fn frame_check(
    ctx: &Ctx<'_>,
    port: u16,
    route: &str,
) -> Result<Option<serde_json::Value>, String> {
    match play_once(ctx, port, route, false).await {
        Err(Refused::Setup(status)) => play_once(ctx, port, route, true)
            .await
            .map_err(|e| format!("interleaved SETUP {status}; UDP: {}", e.text())),
        other => other.map_err(|e| e.text()),
    }
}

enum Refused {
    /// SETUP answered with this status (transport not supported, …).
    Setup(u16),
    Other(String),
}

impl Refused {
    fn text(&self) -> String {
        match self {
            Refused::Setup(s) => format!("SETUP {s}"),
            Refused::Other(s) => s.clone(),
        }
    }
}

/// An RTP socket for UDP transport: bound on every local address, even port when possible.
async fn rtp_socket(ip: std::net::IpAddr) -> Option<tokio::net::UdpSocket> {
    let any: std::net::IpAddr = if ip.is_ipv4() {
        std::net::Ipv4Addr::UNSPECIFIED.into()
    } else {
        std::net::Ipv6Addr::UNSPECIFIED.into()
    };
    for _ in 0..8 {
        let s = tokio::net::UdpSocket::bind((any, 0)).await.ok()?;
        if s.local_addr().ok()?.port() % 2 == 0 {
            return Some(s);
        }
    }
    tokio::net::UdpSocket::bind((any, 0)).await.ok()
}

async fn play_once(
    ctx: &Ctx<'_>,
    port: u16,
    route: &str,
    udp: bool,
) -> Result<Option<serde_json::Value>, Refused> {
    let other = |e: String| Refused::Other(e);
    let mut s = RtspSession::connect(ctx.ip, port, &ctx.cfg())
        .await
        .map_err(|e| other(e.to_string()))?;
    let d = describe(&mut s, route, None).await.map_err(other)?;
    if d.status != 200 {
        return Err(other(format!("DESCRIBE {}", d.status)));
    }
    let sdp = String::from_utf8_lossy(&d.body).into_owned();
    let (session_ctl, video_ctl) = sdp_controls(&sdp);
    // Content-Base first (RFC 2326 C.1.1), the request URL when it is missing, malformed or
    // refused (devices send broken ones: private addresses, unexpanded templates).
    let request_url = s.url(route);
    let mut bases: Vec<String> = Vec::new();
    if let Some(cb) = d
        .header("content-base")
        .or_else(|| d.header("content-location"))
        && cb.to_ascii_lowercase().starts_with("rtsp://")
        && !cb.contains(['{', '}', ' '])
    {
        bases.push(cb.to_string());
    }
    if !bases
        .iter()
        .any(|b| b.trim_end_matches('/') == request_url.trim_end_matches('/'))
    {
        bases.push(request_url.clone());
    }
    let sock = if udp {
        Some(
            rtp_socket(ctx.ip)
                .await
                .ok_or_else(|| other("no UDP socket".into()))?,
        )
    } else {
        None
    };
    let transport = match &sock {
        Some(u) => {
            let p = u.local_addr().map_or(0, |a| a.port());
            format!("RTP/AVP;unicast;client_port={p}-{}", p.wrapping_add(1))
        }
        None => "RTP/AVP/TCP;unicast;interleaved=0-1".to_string(),
    };
    let mut setup = None;
    let mut last = 0;
    for base in &bases {
        let setup_url = join(base, video_ctl.as_deref().unwrap_or("*"));
        let st = s
            .request("SETUP", &setup_url, &[("Transport", transport.as_str())])
            .await
            .map_err(|e| other(e.to_string()))?;
        if st.status == 200 {
            setup = Some((base.clone(), setup_url, st));
            break;
        }
        last = st.status;
        if !s.is_usable() {
            break;
        }
    }
    let Some((base, setup_url, st)) = setup else {
        return Err(Refused::Setup(last));
    };
    let sid = st
        .header("session")
        .map(|v| v.split(';').next().unwrap_or("").trim().to_string())
        .unwrap_or_default();
    let play_url = match session_ctl.as_deref() {
        Some(c) if c.to_ascii_lowercase().starts_with("rtsp://") => c.to_string(),
        _ => base.clone(),
    };
    let p = s
        .request(
            "PLAY",
            &play_url,
            &[("Session", sid.as_str()), ("Range", "npt=0.000-")],
        )
        .await
        .map_err(|e| other(e.to_string()))?;
    if p.status != 200 {
        return Err(other(format!("PLAY {}", p.status)));
    }
    let left = ctx.left().min(FRAME_WAIT);
    let pkt = match &sock {
        None => s
            .wait_rtp(left)
            .await
            .map_err(|e| other(e.to_string()))?
            .map(|p| (p.channel, p.payload_type, p.len)),
        Some(u) => {
            let mut buf = [0u8; 2048];
            let deadline = tokio::time::Instant::now() + left;
            let mut got = None;
            while let Ok(Ok((n, from))) =
                tokio::time::timeout_at(deadline, u.recv_from(&mut buf)).await
            {
                if from.ip() == ctx.ip && n >= 12 && buf[0] >> 6 == 2 {
                    got = Some((0, buf[1] & 0x7f, n));
                    break;
                }
            }
            got
        }
    };
    let _ = s
        .send_only("TEARDOWN", &play_url, &[("Session", sid.as_str())])
        .await;
    Ok(pkt.map(|(channel, pt, len)| {
        json!({
            "setup": redact_url_credentials(&setup_url),
            "transport": if udp { "RTP over UDP (unicast)" } else { "RTP interleaved over the RTSP TCP connection" },
            "rtp": { "channel": channel, "payload_type": pt, "bytes": len },
            "waited_at_most_s": FRAME_WAIT.as_secs(),
        })
    }))
}

/// One DESCRIBE with credentials on `route` (a fresh challenge first, which is not a failed
/// login). Only a 200 is a login.
pub(crate) async fn attempt(
    ctx: &Ctx<'_>,
    port: u16,
    route: &str,
    user: &str,
    password: &Secret,
) -> Attempt {
    let mut s = match RtspSession::connect(ctx.ip, port, &ctx.cfg()).await {
        Ok(s) => s,
        Err(e) => return Attempt::Error(e.to_string()),
    };
    let r0 = match describe(&mut s, route, None).await {
        Ok(r) => r,
        Err(e) => return Attempt::Error(e),
    };
    if r0.status != 401 {
        return Attempt::Error(format!(
            "{route} answered {} without credentials",
            r0.status
        ));
    }
    let (ch, _) = challenges(&r0);
    let url = s.url(route);
    let header = match ch.iter().filter(|c| c.is_digest()).find_map(|c| {
        auth::digest(
            c,
            "DESCRIBE",
            &url,
            user,
            password.expose(),
            &auth::cnonce(),
            1,
        )
    }) {
        Some(h) => h,
        None if ch.iter().any(Challenge::is_basic) => auth::basic(user, password.expose()),
        None => return Attempt::Error("no Basic or usable Digest challenge".into()),
    };
    if !s.is_usable() {
        match RtspSession::connect(ctx.ip, port, &ctx.cfg()).await {
            Ok(n) => s = n,
            Err(e) => return Attempt::Error(e.to_string()),
        }
    }
    let r = match describe(&mut s, route, Some(&header)).await {
        Ok(r) => r,
        Err(e) => return Attempt::Error(e),
    };
    match r.status {
        200 => Attempt::Success(json!({
            "scheme": if header.starts_with("Digest") { "Digest" } else { "Basic" },
            "route": route,
            "request": request_summary(&format!("DESCRIBE {} RTSP/1.0", redact_url_credentials(&url)), &[("Authorization", header.as_str())], ctx.opts.reveal_secrets),
            "response": response_summary("RTSP/1.0", &r, false),
            "sdp_has_video": has_video(&r.body),
        })),
        401 => Attempt::Failure("RTSP 401".into()),
        403 | 423 | 429 | 503 => Attempt::Blocked(format!("RTSP {}", r.status)),
        s => Attempt::Failure(format!("RTSP {s} (not a login)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdp_controls_and_join() {
        let sdp = "v=0\r\na=control:*\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=2\r\nm=video 0 RTP/AVP 96\r\na=control:trackID=1\r\n";
        assert_eq!(
            sdp_controls(sdp),
            (Some("*".into()), Some("trackID=1".into()))
        );
        assert_eq!(join("rtsp://h/x/", "trackID=1"), "rtsp://h/x/trackID=1");
        assert_eq!(join("rtsp://h/x", "rtsp://h/y/t=1"), "rtsp://h/y/t=1");
        assert_eq!(
            join("rtsp://h/x?a=1/", "trackID=0"),
            "rtsp://h/x?a=1/trackID=0"
        );
        assert_eq!(join("rtsp://h/x", "*"), "rtsp://h/x");
        assert!(has_video(b"v=0\r\nm=video 0 RTP/AVP 96\r\n"));
        assert!(!has_video(b"v=0\r\nm=audio 0 RTP/AVP 0\r\n"));
    }
}
