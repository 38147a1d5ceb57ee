//! Banner grabbing for ports where the server speaks first (telnet, FTP, SSH, vendor SDK
//! ports, unknown ports), with a `GET /` poke when nothing arrives unprompted.

use crate::config::{ProbeConfig, step};
use crate::error::ProbeError;
use crate::exchange::{Outcome, build_request, read_response};
use crate::head::Protocol;
use crate::keys;
use crate::net::{Conn, left, tcp_connect};
use crate::report::{Hint, Next, PortReport};
use crate::telnet::TelnetDecoder;
use crate::util::{banner_text, escape_bytes, hex, looks_like_tls};
use std::net::IpAddr;
use std::time::Duration;

/// Most bytes of banner text kept.
const BANNER_CHARS: usize = 1024;
/// Most bytes read while grabbing a banner.
const BANNER_READ: usize = 4096;
/// Bytes of an SDK reply kept (as hex).
const SDK_BYTES: usize = 64;

/// How long to wait for an unprompted banner.
fn first_wait(hint: &Hint, cfg: &ProbeConfig) -> Duration {
    let w = match hint {
        Hint::Telnet | Hint::Ftp | Hint::Ssh => cfg.read_timeout,
        _ => cfg.read_timeout.min(Duration::from_secs(1)),
    };
    // leave room for the GET / poke within the step
    w.min(cfg.step_timeout / 2)
}

fn idle(cfg: &ProbeConfig) -> Duration {
    cfg.read_timeout.min(Duration::from_millis(600))
}

/// What the bytes a server sent first look like.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Telnet,
    Ssh,
    Ftp,
    Other,
}

fn classify(bytes: &[u8], hint: &Hint) -> Kind {
    let has_iac = bytes.windows(2).take(64).any(|w| {
        w[0] == crate::telnet::IAC && ((251..=254).contains(&w[1]) || w[1] == crate::telnet::SB)
    });
    if has_iac {
        return Kind::Telnet;
    }
    if bytes.starts_with(b"SSH-")
        || (*hint == Hint::Ssh && bytes.windows(5).any(|w| w == b"\nSSH-"))
    {
        return Kind::Ssh;
    }
    let reply_code = bytes.len() >= 4
        && bytes[..3].iter().all(u8::is_ascii_digit)
        && (bytes[3] == b' ' || bytes[3] == b'-');
    if reply_code
        && (*hint == Hint::Ftp
            || (bytes.starts_with(b"220")
                && crate::util::find_ci(&bytes[..bytes.len().min(256)], b"ftp", 0).is_some()))
    {
        return Kind::Ftp;
    }
    let text = &bytes[..bytes.len().min(512)];
    let printable = text
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    if printable
        && (*hint == Hint::Telnet
            || looks_like_prompt(text) && crate::util::find_ci(text, b"login", 0).is_some())
    {
        return Kind::Telnet;
    }
    Kind::Other
}

fn looks_like_prompt(data: &[u8]) -> bool {
    let t = data.trim_ascii_end();
    matches!(t.last(), Some(b':' | b'>' | b'#' | b'$' | b'%'))
}

/// The banner flow. Returns where to go next when the port turned out to speak HTTP/RTSP.
pub(crate) async fn probe_banner(
    ip: IpAddr,
    port: u16,
    hint: Hint,
    cfg: &ProbeConfig,
    rep: &mut PortReport,
) -> Next {
    let deadline = step(cfg);
    let tcp = match tcp_connect(ip, port, cfg, deadline).await {
        Ok(t) => t,
        Err(e) => {
            rep.note(format!("connect: {e}"));
            return Next::Done;
        }
    };
    let mut conn = Conn::plain(tcp, cfg);
    let fallback_service = match &hint {
        Hint::Sdk(v) => format!("{v}-sdk"),
        _ => "unknown".to_string(),
    };

    match conn.read_more(first_wait(&hint, cfg), deadline).await {
        Ok(n) if n > 0 => {
            let kind = classify(&conn.buf, &hint);
            match kind {
                Kind::Telnet => telnet_session(&mut conn, cfg, deadline, rep).await,
                Kind::Ssh => ssh_banner(&mut conn, cfg, deadline, rep).await,
                Kind::Ftp => ftp_banner(&mut conn, cfg, deadline, rep).await,
                Kind::Other => {
                    conn.read_until_quiet(
                        idle(cfg),
                        Duration::from_millis(200).min(idle(cfg)),
                        512,
                        deadline,
                    )
                    .await;
                    match &hint {
                        Hint::Sdk(_) => {
                            rep.add(keys::SDK_REPLY, hex(&conn.buf, SDK_BYTES));
                            rep.note("sent data unprompted");
                        }
                        _ => rep.add(keys::BANNER_RAW, escape_bytes(&conn.buf, 256)),
                    }
                    rep.set_service(&fallback_service);
                }
            }
            return Next::Done;
        }
        Ok(_) => {
            rep.note("closed the connection without sending anything");
            rep.set_service(&fallback_service);
            return Next::Done;
        }
        Err(ProbeError::Timeout { .. }) => {}
        Err(e) => {
            rep.note(format!("read: {e}"));
            rep.set_service(&fallback_service);
            return Next::Done;
        }
    }

    // Nothing unprompted: one short GET / to see whether it is a web/RTSP server.
    if left(deadline) < Duration::from_millis(50) {
        rep.note("no banner");
        rep.set_service(&fallback_service);
        return Next::Done;
    }
    let req = build_request("GET", "/", ip, port, false, cfg, &[], &[]);
    if let Err(e) = conn.send(&req, cfg, deadline).await {
        rep.note(format!("no banner; GET /: {e}"));
        rep.set_service(&fallback_service);
        return Next::Done;
    }
    match read_response(&mut conn, false, cfg, deadline).await {
        Outcome::Response { head, .. } => {
            drop(conn);
            if head.protocol == Protocol::Rtsp {
                rep.note("no banner; answered GET / with RTSP");
                Next::Rtsp
            } else {
                rep.note("no banner; answered GET / with HTTP");
                Next::Http
            }
        }
        Outcome::NotProtocol { bytes, .. } if looks_like_tls(&bytes) => {
            rep.note("no banner; answered GET / with a TLS record");
            Next::Https
        }
        Outcome::NotProtocol { bytes, .. } => {
            match &hint {
                Hint::Sdk(_) => rep.add(keys::SDK_REPLY, hex(&bytes, SDK_BYTES)),
                _ => rep.add(keys::BANNER_RAW, escape_bytes(&bytes, 256)),
            }
            rep.note("no banner; non-HTTP reply to GET /");
            rep.set_service(&fallback_service);
            Next::Done
        }
        Outcome::Silent { after } => {
            rep.note(format!(
                "no banner within {:.1}s and no reply to GET / within {:.1}s",
                first_wait(&hint, cfg).as_secs_f64(),
                after.as_secs_f64()
            ));
            rep.set_service(&fallback_service);
            Next::Done
        }
        Outcome::Closed => {
            rep.note("no banner; closed on GET /");
            rep.set_service(&fallback_service);
            Next::Done
        }
        Outcome::Failed(e) => {
            rep.note(format!("no banner; GET /: {e}"));
            rep.set_service(&fallback_service);
            Next::Done
        }
    }
}

/// Answer telnet negotiation (refusing every option) until the login prompt or a pause.
async fn telnet_session(
    conn: &mut Conn,
    cfg: &ProbeConfig,
    deadline: tokio::time::Instant,
    rep: &mut PortReport,
) {
    let mut dec = TelnetDecoder::new();
    let mut data: Vec<u8> = Vec::new();
    let mut pending = std::mem::take(&mut conn.buf);
    let mut total = pending.len();
    loop {
        let mut replies = Vec::new();
        dec.feed(&pending, &mut data, &mut replies);
        if !replies.is_empty() {
            let _ = conn.send(&replies, cfg, deadline).await;
        }
        if data.len() >= BANNER_READ
            || total >= 4 * BANNER_READ
            || (looks_like_prompt(&data) && !data.trim_ascii().is_empty())
        {
            break;
        }
        let wait = if data.trim_ascii().is_empty() {
            cfg.read_timeout
        } else {
            idle(cfg)
        };
        match conn.read_more(wait, deadline).await {
            Ok(n) if n > 0 => {
                pending = std::mem::take(&mut conn.buf);
                total += n;
            }
            _ => break,
        }
    }
    let text = banner_text(&data, BANNER_CHARS);
    if text.is_empty() {
        rep.note(format!(
            "telnet: {} negotiation commands, no text",
            dec.commands
        ));
    } else {
        rep.add(keys::BANNER_TELNET, text);
    }
    rep.set_service("telnet");
}

/// The `SSH-…` identification line.
async fn ssh_banner(
    conn: &mut Conn,
    cfg: &ProbeConfig,
    deadline: tokio::time::Instant,
    rep: &mut PortReport,
) {
    let line = loop {
        if let Some(start) = find_line_start(&conn.buf, b"SSH-")
            && let Some(nl) = conn.buf[start..].iter().position(|b| *b == b'\n')
        {
            break Some(conn.buf[start..start + nl].to_vec());
        }
        if conn.buf.len() >= BANNER_READ {
            break None;
        }
        match conn.read_more(idle(cfg), deadline).await {
            Ok(n) if n > 0 => {}
            _ => break find_line_start(&conn.buf, b"SSH-").map(|s| conn.buf[s..].to_vec()),
        }
    };
    match line {
        Some(l) => rep.add(keys::BANNER_SSH, banner_text(&l[..l.len().min(255)], 255)),
        None => rep.note("SSH: no identification line"),
    }
    rep.set_service("ssh");
}

fn find_line_start(buf: &[u8], prefix: &[u8]) -> Option<usize> {
    if buf.starts_with(prefix) {
        return Some(0);
    }
    buf.windows(prefix.len() + 1)
        .position(|w| w[0] == b'\n' && &w[1..] == prefix)
        .map(|i| i + 1)
}

/// The FTP greeting: reply lines up to the final `NNN ` line. Sends `QUIT` afterwards.
async fn ftp_banner(
    conn: &mut Conn,
    cfg: &ProbeConfig,
    deadline: tokio::time::Instant,
    rep: &mut PortReport,
) {
    let final_line = |buf: &[u8]| -> Option<usize> {
        let mut pos = 0;
        for line in buf.split_inclusive(|b| *b == b'\n') {
            pos += line.len();
            if !line.ends_with(b"\n") {
                return None;
            }
            if line.len() >= 4 && line[..3].iter().all(u8::is_ascii_digit) && line[3] == b' ' {
                return Some(pos);
            }
        }
        None
    };
    let end = loop {
        if let Some(e) = final_line(&conn.buf) {
            break e;
        }
        if conn.buf.len() >= BANNER_READ {
            break conn.buf.len();
        }
        match conn.read_more(idle(cfg), deadline).await {
            Ok(n) if n > 0 => {}
            _ => break conn.buf.len(),
        }
    };
    rep.add(
        keys::BANNER_FTP,
        banner_text(&conn.buf[..end], BANNER_CHARS),
    );
    let _ = conn.send(b"QUIT\r\n", cfg, deadline).await;
    rep.set_service("ftp");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(
            classify(b"SSH-2.0-dropbear_2019.78\r\n", &Hint::Unknown),
            Kind::Ssh
        );
        assert_eq!(classify(b"220 (vsFTPd 3.0.3)\r\n", &Hint::Ftp), Kind::Ftp);
        assert_eq!(
            classify(b"220-Welcome to FTP\r\n", &Hint::Unknown),
            Kind::Ftp
        );
        assert_eq!(classify(b"220 mail ESMTP\r\n", &Hint::Unknown), Kind::Other);
        assert_eq!(
            classify(&[255, 251, 1, 255, 253, 31], &Hint::Unknown),
            Kind::Telnet
        );
        assert_eq!(
            classify(b"\r\nLocalHost login: ", &Hint::Unknown),
            Kind::Telnet
        );
        assert_eq!(classify(b"(none) login:", &Hint::Telnet), Kind::Telnet);
        assert_eq!(
            classify(&[0xaa, 0, 0, 0, 0x10], &Hint::Sdk("dahua".into())),
            Kind::Other
        );
    }

    #[test]
    fn line_start() {
        assert_eq!(find_line_start(b"hello\r\nSSH-2.0-x\r\n", b"SSH-"), Some(7));
        assert_eq!(find_line_start(b"SSH-2.0", b"SSH-"), Some(0));
        assert_eq!(find_line_start(b"xSSH-", b"SSH-"), None);
    }
}
