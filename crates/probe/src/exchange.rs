//! One request/response exchange over a bounded connection: the request line and headers we
//! send, and the reply (HTTP or RTSP head, bounded body) or what came instead. Shared by every
//! flow (HTTP, RTSP, banner) and by the assessment's client helpers.

use crate::config::{ProbeConfig, step};
use crate::error::ProbeError;
use crate::head::{Head, Protocol};
use crate::net::{Conn, HeadRead, TlsInfo};
use crate::util::{authority, escape_bytes};
use std::net::IpAddr;
use std::time::Duration;
use tokio::time::Instant;

/// One HTTP response, body bounded by [`ProbeConfig::max_response_bytes`] and de-chunked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// First value of a header, case-insensitive.
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::head::first_header(&self.headers, name)
    }

    /// All values of a header, case-insensitive.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        crate::head::all_headers(&self.headers, name)
    }

    pub(crate) fn from_head(head: Head, body: Vec<u8>) -> Self {
        HttpResponse {
            status: head.status,
            headers: head.headers,
            body,
        }
    }
}

/// What one request/response exchange produced.
pub(crate) enum Outcome {
    Response {
        head: Head,
        body: Vec<u8>,
        tls: Option<TlsInfo>,
    },
    /// Bytes that are not an HTTP/RTSP reply (the first few hundred).
    NotProtocol { bytes: Vec<u8> },
    /// Connected, nothing came back.
    Silent { after: Duration },
    /// Connected, the peer closed without a byte.
    Closed,
    /// Connect, TLS or I/O failure.
    Failed(ProbeError),
}

impl Outcome {
    pub(crate) fn is_silent(&self) -> bool {
        matches!(self, Outcome::Silent { .. })
            || matches!(self, Outcome::Failed(e) if e.is_silent())
    }
}

/// Percent-encode what must not appear raw in a request target.
fn clean_target(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') && !path.starts_with("rtsp://") {
        out.push('/');
    }
    for b in path.bytes() {
        if b <= 0x20 || b == 0x7f || b >= 0x80 {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

/// Build an HTTP/1.1 request.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one request, each distinct"
)]
pub(crate) fn build_request(
    method: &str,
    path: &str,
    ip: IpAddr,
    port: u16,
    tls: bool,
    cfg: &ProbeConfig,
    extra: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let host = authority(ip, port, if tls { 443 } else { 80 });
    let mut r = format!(
        "{method} {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {}\r\nAccept: */*\r\nConnection: close\r\n",
        clean_target(path),
        cfg.user_agent.replace(['\r', '\n'], " ")
    );
    for (k, v) in extra {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        r.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    r.push_str("\r\n");
    let mut v = r.into_bytes();
    v.extend_from_slice(body);
    v
}

/// Connect, send `request`, read one response, all within `deadline`.
pub(crate) async fn exchange(
    ip: IpAddr,
    port: u16,
    tls: bool,
    request: &[u8],
    head_request: bool,
    cfg: &ProbeConfig,
    deadline: Instant,
) -> Outcome {
    let mut conn = match Conn::open(ip, port, tls, cfg, deadline).await {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(e),
    };
    if let Err(e) = conn.send(request, cfg, deadline).await {
        return Outcome::Failed(e);
    }
    read_response(&mut conn, head_request, cfg, deadline).await
}

/// Read one response on an open connection.
pub(crate) async fn read_response(
    conn: &mut Conn,
    head_request: bool,
    cfg: &ProbeConfig,
    deadline: Instant,
) -> Outcome {
    let mut first = conn.read_head(cfg, deadline).await;
    // Skip interim `100 Continue`-style heads (a few at most).
    for _ in 0..3 {
        match &first {
            HeadRead::Head(h)
                if h.protocol == Protocol::Http
                    && (100..200).contains(&h.status)
                    && h.status != 101 =>
            {
                first = conn.read_head(cfg, deadline).await;
            }
            _ => break,
        }
    }
    match first {
        HeadRead::Head(head) => {
            let body = conn.read_body(&head, head_request, cfg, deadline).await;
            Outcome::Response {
                head,
                body,
                tls: conn.tls.clone(),
            }
        }
        HeadRead::Silent(after) => Outcome::Silent { after },
        HeadRead::Closed => Outcome::Closed,
        HeadRead::NotProtocol => {
            let short = Duration::from_millis(200).min(cfg.read_timeout);
            conn.read_until_quiet(short, short, 512, deadline).await;
            let n = conn.buf.len().min(512);
            Outcome::NotProtocol {
                bytes: conn.buf[..n].to_vec(),
            }
        }
        HeadRead::Broken(e) => Outcome::Failed(e),
    }
}

pub(crate) fn outcome_to_http(out: Outcome) -> Result<HttpResponse, ProbeError> {
    match out {
        Outcome::Response { head, body, .. } if head.protocol == Protocol::Http => {
            Ok(HttpResponse::from_head(head, body))
        }
        Outcome::Response { head, .. } => Err(ProbeError::Malformed {
            what: format!("{} reply to an HTTP request", head.protocol.as_str()),
        }),
        Outcome::NotProtocol { bytes, .. } => Err(ProbeError::Malformed {
            what: format!("not HTTP: {}", escape_bytes(&bytes, 48)),
        }),
        Outcome::Silent { after } => Err(ProbeError::Timeout {
            stage: "reply",
            after,
            received: 0,
        }),
        Outcome::Closed => Err(ProbeError::Closed { received: 0 }),
        Outcome::Failed(e) => Err(e),
    }
}

/// Used by other flows as a fallback: whether `GET /` gets an HTTP reply.
pub(crate) async fn answers_http(ip: IpAddr, port: u16, cfg: &ProbeConfig) -> bool {
    let req = build_request("GET", "/", ip, port, false, cfg, &[], &[]);
    matches!(exchange(ip, port, false, &req, false, cfg, step(cfg)).await, Outcome::Response { head, .. } if head.protocol == Protocol::Http)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4() -> IpAddr {
        "127.93.0.1".parse().unwrap()
    }

    #[test]
    fn request_shape() {
        let cfg = ProbeConfig::default();
        let r = build_request("GET", "/a b\r\n", v4(), 8080, false, &cfg, &[], &[]);
        let s = String::from_utf8(r).unwrap();
        assert!(s.starts_with("GET /a%20b%0D%0A HTTP/1.1\r\nHost: 127.93.0.1:8080\r\n"));
        assert!(s.ends_with("\r\n\r\n"));
        let r = build_request(
            "POST",
            "/onvif/device_service",
            v4(),
            80,
            false,
            &cfg,
            &[("Content-Type", "x")],
            b"abc",
        );
        let s = String::from_utf8(r).unwrap();
        assert!(s.contains("Host: 127.93.0.1\r\n"));
        assert!(s.contains("Content-Length: 3\r\n\r\nabc"));
    }
}
