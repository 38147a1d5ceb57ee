//! Raw-socket clients for the integration tests.
#![allow(
    dead_code,
    reason = "shared by several test binaries, each uses a part"
)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use camguard_sim::{Fleet, FleetConfig, HostKind, Truth, TruthHost};
use md5::{Digest as _, Md5};
use sha1::Sha1;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

pub const T: Duration = Duration::from_secs(10);

pub async fn fleet(base: &str, hosts: u32, seed: u64) -> Fleet {
    Fleet::start(FleetConfig::new(base.parse().unwrap(), hosts, seed))
        .await
        .expect("fleet starts")
}

pub fn find(t: &Truth, f: impl Fn(&TruthHost) -> bool) -> Option<&TruthHost> {
    t.entries.iter().find(|e| f(e))
}

pub fn host<'a>(t: &'a Truth, profile: &str, config: &str) -> &'a TruthHost {
    find(t, |e| e.profile == profile && e.config == config)
        .unwrap_or_else(|| panic!("no {profile}/{config} host in the fleet"))
}

pub fn cred<'a>(h: &'a TruthHost, service: &str) -> (&'a str, &'a str) {
    let c = h
        .credentials
        .iter()
        .find(|c| c.service == service)
        .unwrap_or_else(|| panic!("{} has no {service} credential", h.ip));
    (&c.username, &c.password)
}

pub fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub async fn connect(ip: Ipv4Addr, port: u16) -> TcpStream {
    tokio::time::timeout(T, TcpStream::connect(SocketAddr::from((ip, port))))
        .await
        .expect("connect in time")
        .expect("connect")
}

/// A parsed HTTP/RTSP response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status_line: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one response (head + Content-Length body) from `s`, keeping leftovers in `buf`.
pub async fn read_reply<S: AsyncRead + Unpin>(s: &mut S, buf: &mut Vec<u8>) -> Option<Reply> {
    loop {
        if let Some(end) = find_end(buf) {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let status_line = lines.next()?.to_string();
            let status = status_line.split(' ').nth(1)?.parse().ok()?;
            let mut headers = Vec::new();
            for l in lines {
                if l.is_empty() {
                    break;
                }
                let (k, v) = l.split_once(':')?;
                headers.push((k.to_string(), v.trim().to_string()));
            }
            let clen: usize = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < end + clen {
                let mut tmp = [0u8; 8192];
                let n = tokio::time::timeout(T, s.read(&mut tmp)).await.ok()?.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&tmp[..n]);
            }
            let body = buf[end..end + clen].to_vec();
            buf.drain(..end + clen);
            return Some(Reply {
                status_line,
                status,
                headers,
                body,
            });
        }
        let mut tmp = [0u8; 8192];
        let n = tokio::time::timeout(T, s.read(&mut tmp)).await.ok()?.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
}

fn find_end(b: &[u8]) -> Option<usize> {
    b.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// One HTTP request on a fresh connection.
pub async fn http<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    method: &str,
    ip: Ipv4Addr,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {ip}\r\nUser-Agent: camguard-sim-test\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    s.write_all(&bytes).await.unwrap();
    let mut buf = Vec::new();
    read_reply(s, &mut buf).await.expect("an HTTP reply")
}

pub async fn http_get(ip: Ipv4Addr, port: u16, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut s = connect(ip, port).await;
    http(&mut s, "GET", ip, path, headers, b"").await
}

/// Parses `k="v", k2=v2` challenge parameters.
pub fn params(challenge: &str) -> Vec<(String, String)> {
    let rest = challenge.split_once(' ').map_or("", |x| x.1);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    for ch in rest.chars() {
        match ch {
            '"' => in_q = !in_q,
            ',' if !in_q => {
                out.push(cur.clone());
                cur.clear();
            }
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.iter()
        .filter_map(|p| {
            p.trim()
                .split_once('=')
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect()
}

pub fn param(challenge: &str, key: &str) -> Option<String> {
    params(challenge)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// An Authorization header answering a Digest challenge (qop=auth when offered).
pub fn digest_auth(challenge: &str, method: &str, uri: &str, user: &str, pass: &str) -> String {
    let realm = param(challenge, "realm").unwrap();
    let nonce = param(challenge, "nonce").unwrap();
    let qop = param(challenge, "qop");
    let ha1 = md5_hex(&format!("{user}:{realm}:{pass}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    match qop {
        Some(q) if q.split(',').any(|x| x.trim() == "auth") => {
            let cnonce = "0a4f113b";
            let nc = "00000001";
            let resp = md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
            format!(
                r#"Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", qop=auth, nc={nc}, cnonce="{cnonce}", response="{resp}""#
            )
        }
        _ => {
            let resp = md5_hex(&format!("{ha1}:{nonce}:{ha2}"));
            format!(
                r#"Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", response="{resp}""#
            )
        }
    }
}

pub fn basic_auth(user: &str, pass: &str) -> String {
    format!("Basic {}", B64.encode(format!("{user}:{pass}")))
}

/// An RTSP request on an open connection.
pub async fn rtsp(
    s: &mut TcpStream,
    buf: &mut Vec<u8>,
    method: &str,
    url: &str,
    cseq: u32,
    extra: &[(&str, &str)],
) -> Reply {
    let mut req =
        format!("{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\nUser-Agent: camguard-sim-test\r\n");
    for (k, v) in extra {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    read_reply(s, buf).await.expect("an RTSP reply")
}

/// SOAP 1.2 envelope with an optional UsernameToken (PasswordDigest).
pub fn soap(body: &str, token: Option<(&str, &str)>) -> String {
    let header = match token {
        Some((u, p)) => {
            let nonce = b"camguard-sim-nonce-16b";
            let created = time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            let mut h = Sha1::new();
            h.update(nonce);
            h.update(created.as_bytes());
            h.update(p.as_bytes());
            let digest = B64.encode(h.finalize());
            format!(
                r#"<s:Header><Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken><Username>{u}</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">{digest}</Password><Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">{}</Nonce><Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">{created}</Created></UsernameToken></Security></s:Header>"#,
                B64.encode(nonce)
            )
        }
        None => String::new(),
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">{header}<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">{body}</s:Body></s:Envelope>"#
    )
}

pub async fn soap_post(
    ip: Ipv4Addr,
    port: u16,
    path: &str,
    body: &str,
    token: Option<(&str, &str)>,
) -> Reply {
    let env = soap(body, token);
    let mut s = connect(ip, port).await;
    http(
        &mut s,
        "POST",
        ip,
        path,
        &[("Content-Type", "application/soap+xml; charset=utf-8")],
        env.as_bytes(),
    )
    .await
}

pub fn is_camera_kind(h: &TruthHost) -> bool {
    matches!(h.kind, HostKind::Camera)
}
