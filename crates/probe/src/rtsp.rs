//! RTSP probing: `OPTIONS` then `DESCRIBE` on one connection (reconnecting once if the server
//! closed after `OPTIONS`), no credentials, no `SETUP`/`PLAY`.

use crate::auth::auth_observations;
use crate::config::{ProbeConfig, step};
use crate::error::ProbeError;
use crate::exchange::{HttpResponse, Outcome, answers_http, read_response};
use crate::head::Protocol;
use crate::keys;
use crate::net::Conn;
use crate::report::{Next, PortReport};
use crate::util::{authority, escape_bytes, lossy_prefix, truncate_chars};
use camguard_model::Observation;
use std::net::IpAddr;

/// Bytes of SDP kept in `rtsp.sdp`.
pub const SDP_EXCERPT: usize = 4096;

/// How an RTSP attempt ended.
#[derive(Debug)]
pub(crate) enum RtspResult {
    /// The port spoke RTSP; observations recorded.
    Spoke,
    /// The port answered with HTTP.
    Http,
    /// Something else came back (the first bytes, when any).
    NotRtsp(Option<Vec<u8>>),
    /// Connected, nothing came back.
    Silent,
    /// Could not connect.
    NoConnect,
}

/// The `OPTIONS`/`DESCRIBE` request for `rtsp://ip:port/`.
pub fn rtsp_request(method: &str, ip: IpAddr, port: u16, cseq: u32, cfg: &ProbeConfig) -> Vec<u8> {
    let url = format!("rtsp://{}/", authority(ip, port, 0));
    let mut r = format!(
        "{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\nUser-Agent: {}\r\n",
        cfg.user_agent.replace(['\r', '\n'], " ")
    );
    if method == "DESCRIBE" {
        r.push_str("Accept: application/sdp\r\n");
    }
    r.push_str("\r\n");
    r.into_bytes()
}

/// Observations from the reply to `OPTIONS`: `rtsp.server`, `rtsp.public`,
/// `rtsp.options_status` and the challenges (`rtsp.realm`, `rtsp.auth_scheme`).
pub fn rtsp_options_observations(port: u16, resp: &HttpResponse) -> Vec<Observation> {
    let mut out = Vec::new();
    if let Some(s) = resp.header("server") {
        out.push(Observation::new(
            port,
            keys::RTSP_SERVER,
            truncate_chars(s, 256),
        ));
    }
    if let Some(p) = resp.header("public") {
        out.push(Observation::new(
            port,
            keys::RTSP_PUBLIC,
            truncate_chars(p, 512),
        ));
    }
    out.push(Observation::new(
        port,
        keys::RTSP_OPTIONS_STATUS,
        resp.status.to_string(),
    ));
    out.extend(auth_observations(
        port,
        resp,
        keys::RTSP_REALM,
        keys::RTSP_AUTH_SCHEME,
    ));
    out
}

/// Observations from the reply to `DESCRIBE`: `rtsp.status`, `rtsp.server`, the challenges,
/// and the SDP excerpt (`rtsp.sdp`, first `SDP_EXCERPT` bytes) of a 200 with a body.
pub fn rtsp_describe_observations(port: u16, resp: &HttpResponse) -> Vec<Observation> {
    let mut out = vec![Observation::new(
        port,
        keys::RTSP_STATUS,
        resp.status.to_string(),
    )];
    if let Some(s) = resp.header("server") {
        out.push(Observation::new(
            port,
            keys::RTSP_SERVER,
            truncate_chars(s, 256),
        ));
    }
    out.extend(auth_observations(
        port,
        resp,
        keys::RTSP_REALM,
        keys::RTSP_AUTH_SCHEME,
    ));
    if resp.status == 200 && !resp.body.is_empty() {
        out.push(Observation::new(
            port,
            keys::RTSP_SDP,
            lossy_prefix(&resp.body, SDP_EXCERPT),
        ));
    }
    out
}

async fn rtsp_flow(
    ip: IpAddr,
    port: u16,
    cfg: &ProbeConfig,
    rep: &mut PortReport,
    quiet: bool,
) -> RtspResult {
    let deadline = step(cfg);
    let mut conn = match Conn::open(ip, port, false, cfg, deadline).await {
        Ok(c) => c,
        Err(e) => {
            if !quiet {
                rep.note(format!("RTSP connect: {e}"));
            }
            return if e.is_silent() || matches!(e, ProbeError::Timeout { .. }) {
                RtspResult::Silent
            } else {
                RtspResult::NoConnect
            };
        }
    };
    if let Err(e) = conn
        .send(&rtsp_request("OPTIONS", ip, port, 1, cfg), cfg, deadline)
        .await
    {
        if !quiet {
            rep.note(format!("RTSP OPTIONS: {e}"));
        }
        return RtspResult::NotRtsp(None);
    }
    let head = match read_response(&mut conn, false, cfg, deadline).await {
        Outcome::Response { head, .. } if head.protocol == Protocol::Http => {
            return RtspResult::Http;
        }
        Outcome::Response { head, .. } => head,
        Outcome::NotProtocol { bytes, .. } => {
            if !quiet {
                rep.note(format!(
                    "garbage reply to RTSP OPTIONS: {}",
                    escape_bytes(&bytes, 48)
                ));
            }
            return RtspResult::NotRtsp(Some(bytes));
        }
        Outcome::Silent { after } => {
            if !quiet {
                rep.note(format!(
                    "no reply to RTSP OPTIONS within {:.1}s",
                    after.as_secs_f64()
                ));
            }
            return RtspResult::Silent;
        }
        Outcome::Closed => {
            if !quiet {
                rep.note("connection closed without a reply to RTSP OPTIONS");
            }
            return RtspResult::NotRtsp(None);
        }
        Outcome::Failed(e) => {
            if !quiet {
                rep.note(format!("RTSP OPTIONS: {e}"));
            }
            return RtspResult::NotRtsp(None);
        }
    };
    rep.set_service("rtsp");
    let options = HttpResponse {
        status: head.status,
        headers: head.headers,
        body: Vec::new(),
    };
    rep.extend(rtsp_options_observations(rep.port, &options));

    // DESCRIBE, on the same connection when the server kept it open.
    let deadline = step(cfg);
    if conn.spoiled || conn.eof {
        drop(conn);
        conn = match Conn::open(ip, port, false, cfg, deadline).await {
            Ok(c) => c,
            Err(e) => {
                rep.note(format!("RTSP DESCRIBE reconnect: {e}"));
                return RtspResult::Spoke;
            }
        };
    }
    let mut sent = conn
        .send(&rtsp_request("DESCRIBE", ip, port, 2, cfg), cfg, deadline)
        .await;
    let mut out = match &sent {
        Ok(()) => read_response(&mut conn, false, cfg, deadline).await,
        Err(_) => Outcome::Closed,
    };
    if matches!(out, Outcome::Closed) || (matches!(out, Outcome::Failed(_)) && conn.eof) {
        // The server closed after OPTIONS without saying so: one fresh connection.
        drop(conn);
        match Conn::open(ip, port, false, cfg, deadline).await {
            Ok(mut c) => {
                sent = c
                    .send(&rtsp_request("DESCRIBE", ip, port, 2, cfg), cfg, deadline)
                    .await;
                out = match sent {
                    Ok(()) => read_response(&mut c, false, cfg, deadline).await,
                    Err(e) => Outcome::Failed(e),
                };
            }
            Err(e) => out = Outcome::Failed(e),
        }
    }
    match out {
        Outcome::Response { head, body, .. } if head.protocol == Protocol::Rtsp => {
            let d = HttpResponse {
                status: head.status,
                headers: head.headers,
                body,
            };
            rep.extend(rtsp_describe_observations(rep.port, &d));
        }
        Outcome::Silent { after } => rep.note(format!(
            "no reply to RTSP DESCRIBE within {:.1}s",
            after.as_secs_f64()
        )),
        Outcome::Response { .. } => rep.note("HTTP reply to RTSP DESCRIBE"),
        Outcome::NotProtocol { bytes, .. } => rep.note(format!(
            "garbage reply to RTSP DESCRIBE: {}",
            escape_bytes(&bytes, 48)
        )),
        Outcome::Closed => rep.note("connection closed without a reply to RTSP DESCRIBE"),
        Outcome::Failed(e) => rep.note(format!("RTSP DESCRIBE: {e}")),
    }
    RtspResult::Spoke
}

/// The RTSP port flow: OPTIONS + DESCRIBE. Returns where to go next: an HTTP reply hands over
/// to the HTTP flow, a TLS record to HTTPS; garbage is kept as `banner.raw`.
pub(crate) async fn probe_rtsp(
    ip: IpAddr,
    port: u16,
    cfg: &ProbeConfig,
    rep: &mut PortReport,
) -> Next {
    match rtsp_flow(ip, port, cfg, rep, false).await {
        RtspResult::Spoke => Next::Done,
        RtspResult::Http => {
            rep.note("port answered RTSP OPTIONS with HTTP");
            Next::Http
        }
        RtspResult::NotRtsp(Some(b)) if crate::util::looks_like_tls(&b) => {
            rep.note("RTSP request got a TLS record; trying HTTPS");
            Next::Https
        }
        RtspResult::NotRtsp(Some(b)) => {
            // The hinted protocol made no sense: try the other one.
            if answers_http(ip, port, cfg).await {
                rep.note("port answered HTTP after refusing RTSP");
                return Next::Http;
            }
            rep.add(keys::BANNER_RAW, escape_bytes(&b, 256));
            rep.set_service("unknown");
            Next::Done
        }
        RtspResult::NotRtsp(None) => {
            if answers_http(ip, port, cfg).await {
                rep.note("port answered HTTP after refusing RTSP");
                return Next::Http;
            }
            rep.set_service("unknown");
            Next::Done
        }
        RtspResult::Silent => {
            rep.set_service("unknown");
            Next::Done
        }
        RtspResult::NoConnect => Next::Done,
    }
}

/// Fallback from another flow: try RTSP and record only if the port speaks it.
pub(crate) async fn probe_rtsp_quiet(
    ip: IpAddr,
    port: u16,
    cfg: &ProbeConfig,
    rep: &mut PortReport,
) -> bool {
    matches!(rtsp_flow(ip, port, cfg, rep, true).await, RtspResult::Spoke)
}
