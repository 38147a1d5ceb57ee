//! Tiny in-test servers. Every address is on 127.93.0.0/16 (loopback); each test uses its own
//! address so tests run in parallel.

#![allow(
    dead_code,
    reason = "shared by several test binaries, each uses a part"
)]

use camguard_probe::ProbeConfig;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// Fast bounds for tests.
pub fn cfg() -> ProbeConfig {
    ProbeConfig {
        connect_timeout: Duration::from_millis(500),
        read_timeout: Duration::from_millis(500),
        step_timeout: Duration::from_millis(1500),
        max_response_bytes: 64 * 1024,
        user_agent: "camguard-test".into(),
        ..ProbeConfig::default()
    }
}

pub fn ip(s: &str) -> IpAddr {
    let ip: IpAddr = s.parse().unwrap();
    assert!(ip.is_loopback(), "tests only talk to loopback");
    ip
}

/// Bind an ephemeral port on a loopback address.
pub async fn bind(addr: &str) -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind((ip(addr), 0)).await.unwrap();
    let a = l.local_addr().unwrap();
    (l, a)
}

/// A request as a test server saw it.
#[derive(Clone, Debug, Default)]
pub struct Req {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, n: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    }
    pub fn body_str(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Read one request (head + Content-Length body). `None` on EOF/garbage/timeout.
pub async fn read_req<S: AsyncRead + Unpin>(s: &mut S, carry: &mut Vec<u8>) -> Option<Req> {
    let end = loop {
        if let Some(i) = carry.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if carry.len() > 64 * 1024 {
            return None;
        }
        let mut b = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut b))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        carry.extend_from_slice(&b[..n]);
    };
    let head = String::from_utf8_lossy(&carry[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let first = lines.next()?;
    let mut parts = first.split(' ');
    let method = parts.next()?.to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let cl: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    carry.drain(..end);
    while carry.len() < cl {
        let mut b = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut b))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        carry.extend_from_slice(&b[..n]);
    }
    let body: Vec<u8> = carry.drain(..cl.min(carry.len())).collect();
    Some(Req {
        method,
        target,
        headers,
        body,
    })
}

pub type Handler = Arc<dyn Fn(&Req) -> Vec<u8> + Send + Sync>;

/// Serve one request per connection over any stream, then close.
pub async fn serve_one<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, h: Handler) {
    let mut carry = Vec::new();
    if let Some(req) = read_req(&mut s, &mut carry).await {
        let resp = h(&req);
        let _ = s.write_all(&resp).await;
        let _ = s.flush().await;
        let _ = s.shutdown().await;
    }
}

/// An HTTP server: one request per connection, the handler's bytes, then close.
pub fn spawn_http(l: TcpListener, h: impl Fn(&Req) -> Vec<u8> + Send + Sync + 'static) {
    let h: Handler = Arc::new(h);
    tokio::spawn(async move {
        loop {
            let Ok((s, _)) = l.accept().await else { return };
            let h = h.clone();
            tokio::spawn(serve_one(s, h));
        }
    });
}

/// A simple response with Content-Length.
pub fn resp(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut r = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut v = r.into_bytes();
    v.extend_from_slice(body);
    v
}

/// A listener that accepts and then never says anything nor closes (a tarpit).
pub fn spawn_tarpit(l: TcpListener) {
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let Ok((s, _)) = l.accept().await else { return };
            held.push(s); // keep it open, never read or write
        }
    });
}

pub fn has(rep: &camguard_probe::PortReport, key: &str, value: &str) -> bool {
    rep.values(key).any(|v| v == value)
}

pub fn dump(rep: &camguard_probe::PortReport) -> String {
    let mut s = format!("service={:?}\n", rep.service);
    for o in &rep.observations {
        s.push_str(&format!(
            "  {} = {:?}\n",
            o.key,
            camguard_probe::escape_bytes(o.value.as_bytes(), 120)
        ));
    }
    for n in &rep.notes {
        s.push_str(&format!("  note: {n}\n"));
    }
    s
}
