//! Bounded clients for the assessment stage (the `camguard-assess` crate):
//!
//! * [`http_request`]: one HTTP request with a chosen method, extra headers and body;
//! * [`RtspSession`]: several RTSP requests on one connection, skipping interleaved RTP frames,
//!   and waiting for one RTP packet (the frame check);
//! * [`legacy_tls_server_hello`]: a hand-written TLS 1.0/1.1 `ClientHello` to learn whether a
//!   server still accepts those versions.
//!
//! The probe flows of this crate never use them to log in. What is sent (and whether it carries
//! credentials) is decided by the assessment, which owns the safety rules; these functions only
//! bound every exchange in bytes and time like the rest of the crate.

use crate::config::ProbeConfig;
use crate::error::ProbeError;
use crate::exchange::{HttpResponse, build_request, exchange, outcome_to_http};
use crate::head::Protocol;
use crate::net::{Conn, HeadRead, left, tcp_connect};
use crate::util::authority;
use std::net::IpAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{Instant, timeout};

/// One bounded HTTP request (`GET`, `HEAD`, `POST`) on a fresh connection, no redirect
/// followed. `headers` are added after `Host`, `User-Agent`, `Accept` and `Connection: close`;
/// a body gets a `Content-Length`. The path is sent as written (bytes outside printable ASCII
/// are percent-encoded), so dot-segments reach the server unchanged.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one HTTP request, each distinct"
)]
pub async fn http_request(
    ip: IpAddr,
    port: u16,
    tls: bool,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    cfg: &ProbeConfig,
) -> Result<HttpResponse, ProbeError> {
    let deadline = Instant::now() + cfg.step_timeout;
    let clean: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.replace(['\r', '\n', ':'], ""),
                v.replace(['\r', '\n'], " "),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = clean
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let req = build_request(method, path, ip, port, tls, cfg, &refs, body);
    outcome_to_http(exchange(ip, port, tls, &req, method == "HEAD", cfg, deadline).await)
}

/// What [`RtspSession::wait_rtp`] saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtpPacket {
    /// Interleaved channel.
    pub channel: u8,
    /// RTP payload type.
    pub payload_type: u8,
    /// Bytes of the RTP packet.
    pub len: usize,
}

/// Several RTSP requests on one TCP connection (RTSP over TCP, RTP interleaved on it).
pub struct RtspSession {
    conn: Conn,
    ip: IpAddr,
    port: u16,
    cseq: u32,
    cfg: ProbeConfig,
}

impl RtspSession {
    /// Connect within `connect_timeout`.
    pub async fn connect(ip: IpAddr, port: u16, cfg: &ProbeConfig) -> Result<Self, ProbeError> {
        let deadline = Instant::now() + cfg.step_timeout;
        let conn = Conn::open(ip, port, false, cfg, deadline).await?;
        Ok(RtspSession {
            conn,
            ip,
            port,
            cseq: 0,
            cfg: cfg.clone(),
        })
    }

    /// `rtsp://ip[:port]/path` for a path starting with `/` (port 554 omitted).
    pub fn url(&self, path: &str) -> String {
        let p = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        format!("rtsp://{}{}", authority(self.ip, self.port, 554), p)
    }

    /// Can the connection carry another request?
    pub fn is_usable(&self) -> bool {
        !self.conn.eof && !self.conn.spoiled
    }

    /// Send one request and read its response (interleaved RTP frames before it are skipped).
    /// `headers` come after `CSeq` and `User-Agent`.
    pub async fn request(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<HttpResponse, ProbeError> {
        let deadline = Instant::now() + self.cfg.step_timeout;
        self.cseq += 1;
        let url: String = url
            .bytes()
            .map(|b| {
                if b <= 0x20 || b >= 0x7f {
                    format!("%{b:02X}")
                } else {
                    (b as char).to_string()
                }
            })
            .collect();
        let mut r = format!(
            "{method} {url} RTSP/1.0\r\nCSeq: {}\r\nUser-Agent: {}\r\n",
            self.cseq,
            self.cfg.user_agent.replace(['\r', '\n'], " ")
        );
        for (k, v) in headers {
            r.push_str(&format!(
                "{}: {}\r\n",
                k.replace(['\r', '\n', ':'], ""),
                v.replace(['\r', '\n'], " ")
            ));
        }
        r.push_str("\r\n");
        self.conn.send(r.as_bytes(), &self.cfg, deadline).await?;
        // Skip interleaved frames that precede the response.
        for _ in 0..1024 {
            if self.conn.buf.first() != Some(&b'$') {
                if self.conn.buf.is_empty() {
                    match self.conn.read_more(self.cfg.read_timeout, deadline).await {
                        Ok(0) => return Err(ProbeError::Closed { received: 0 }),
                        Ok(_) => continue,
                        Err(e) => return Err(e),
                    }
                }
                break;
            }
            if !self.skip_frame(deadline).await? {
                return Err(ProbeError::Closed {
                    received: self.conn.buf.len(),
                });
            }
        }
        let head = match self.conn.read_head(&self.cfg, deadline).await {
            HeadRead::Head(h) => h,
            HeadRead::Silent(after) => {
                return Err(ProbeError::Timeout {
                    stage: "RTSP reply",
                    after,
                    received: 0,
                });
            }
            HeadRead::Closed => return Err(ProbeError::Closed { received: 0 }),
            HeadRead::NotProtocol => {
                return Err(ProbeError::Malformed {
                    what: format!(
                        "not RTSP: {}",
                        crate::util::escape_bytes(&self.conn.buf, 48)
                    ),
                });
            }
            HeadRead::Broken(e) => return Err(e),
        };
        if head.protocol != Protocol::Rtsp {
            self.conn.spoiled = true;
            return Err(ProbeError::Malformed {
                what: "HTTP reply to an RTSP request".into(),
            });
        }
        let body = self.conn.read_body(&head, false, &self.cfg, deadline).await;
        Ok(HttpResponse {
            status: head.status,
            headers: head.headers,
            body,
        })
    }

    /// Drop one complete interleaved frame from the buffer, reading as needed. `false` when
    /// the connection closed first.
    async fn skip_frame(&mut self, deadline: Instant) -> Result<bool, ProbeError> {
        loop {
            let b = &self.conn.buf;
            if b.len() >= 4 {
                let n = 4 + u16::from_be_bytes([b[2], b[3]]) as usize;
                if b.len() >= n {
                    self.conn.buf.drain(..n);
                    return Ok(true);
                }
            }
            match self.conn.read_more(self.cfg.read_timeout, deadline).await {
                Ok(0) => return Ok(false),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Wait at most `wait` for one interleaved RTP packet (version 2). RTSP messages the server
    /// sends meanwhile are skipped. `Ok(None)`: nothing came in time.
    pub async fn wait_rtp(&mut self, wait: Duration) -> Result<Option<RtpPacket>, ProbeError> {
        let deadline = Instant::now() + wait;
        loop {
            let b = &self.conn.buf;
            if b.first() == Some(&b'$') && b.len() >= 4 {
                let n = u16::from_be_bytes([b[2], b[3]]) as usize;
                if b.len() >= 4 + n {
                    let channel = b[1];
                    let pkt = b[4..4 + n].to_vec();
                    self.conn.buf.drain(..4 + n);
                    if pkt.len() >= 12 && pkt[0] >> 6 == 2 {
                        return Ok(Some(RtpPacket {
                            channel,
                            payload_type: pkt[1] & 0x7f,
                            len: pkt.len(),
                        }));
                    }
                    continue;
                }
            } else if !b.is_empty() && b[0] != b'$' {
                // An RTSP message from the server: read it and go on.
                match self.conn.read_head(&self.cfg, deadline).await {
                    HeadRead::Head(h) => {
                        let _ = self.conn.read_body(&h, false, &self.cfg, deadline).await;
                        continue;
                    }
                    _ => return Ok(None),
                }
            }
            if left(deadline).is_zero() {
                return Ok(None);
            }
            match self.conn.read_more(self.cfg.read_timeout, deadline).await {
                Ok(0) => return Ok(None),
                Ok(_) => {}
                Err(ProbeError::Timeout { .. }) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
    }

    /// Send a request and do not wait for the answer (`TEARDOWN` before closing).
    pub async fn send_only(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<(), ProbeError> {
        let deadline = Instant::now() + self.cfg.step_timeout;
        self.cseq += 1;
        let mut r = format!(
            "{method} {url} RTSP/1.0\r\nCSeq: {}\r\nUser-Agent: {}\r\n",
            self.cseq,
            self.cfg.user_agent.replace(['\r', '\n'], " ")
        );
        for (k, v) in headers {
            r.push_str(&format!(
                "{}: {}\r\n",
                k.replace(['\r', '\n', ':'], ""),
                v.replace(['\r', '\n'], " ")
            ));
        }
        r.push_str("\r\n");
        self.conn.send(r.as_bytes(), &self.cfg, deadline).await
    }
}

/// TLS protocol versions on the wire.
pub const SSL3: u16 = 0x0300;
pub const TLS10: u16 = 0x0301;
pub const TLS11: u16 = 0x0302;

/// A TLS `ClientHello` that offers exactly `version` (SSL 3.0 / TLS 1.0 / TLS 1.1) with the
/// cipher suites such servers speak.
///
/// Why by hand: rustls (this workspace's TLS stack) deliberately implements only TLS 1.2 and
/// 1.3 and cannot even offer 1.0/1.1, and pulling in OpenSSL for one question is a C build
/// dependency. Whether a server accepts an old version is decided by its `ServerHello`, so
/// one hand-made record is enough; the handshake is never completed.
pub fn legacy_client_hello(version: u16, random: [u8; 32]) -> Vec<u8> {
    const SUITES: [u16; 12] = [
        0xc014, 0xc013, 0xc00a, 0xc009, // ECDHE_{RSA,ECDSA}_WITH_AES_{256,128}_CBC_SHA
        0x0039, 0x0033, // DHE_RSA_WITH_AES_{256,128}_CBC_SHA
        0x0035, 0x002f, // RSA_WITH_AES_{256,128}_CBC_SHA
        0x000a, // RSA_WITH_3DES_EDE_CBC_SHA
        0x0005, 0x0004, // RSA_WITH_RC4_128_{SHA,MD5}
        0x00ff, // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    ];
    let mut body = Vec::with_capacity(128);
    body.extend_from_slice(&version.to_be_bytes());
    body.extend_from_slice(&random);
    body.push(0); // session id
    body.extend_from_slice(&((SUITES.len() * 2) as u16).to_be_bytes());
    for s in SUITES {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // compression: null
    if version > SSL3 {
        let mut ext = Vec::new();
        // supported_groups: secp256r1, secp384r1
        ext.extend_from_slice(&[0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x18]);
        // ec_point_formats: uncompressed
        ext.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
        body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        body.extend_from_slice(&ext);
    }
    let mut hs = vec![0x01];
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16];
    rec.extend_from_slice(&(if version == SSL3 { SSL3 } else { TLS10 }).to_be_bytes());
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

/// The version of a `ServerHello` in the first TLS record(s) of `bytes`; `Err` for an alert
/// (description code) or something else.
pub fn parse_server_hello_version(bytes: &[u8]) -> Result<u16, Option<u8>> {
    if bytes.len() < 5 {
        return Err(None);
    }
    match bytes[0] {
        0x15 if bytes.len() >= 7 => Err(Some(bytes[6])),
        0x16 => {
            let hs = &bytes[5..];
            if hs.len() >= 6 && hs[0] == 0x02 {
                Ok(u16::from_be_bytes([hs[4], hs[5]]))
            } else {
                Err(None)
            }
        }
        _ => Err(None),
    }
}

/// Offer only `version` (SSL 3.0, TLS 1.0 or TLS 1.1) and report the version of the server's
/// `ServerHello`, or `None` when it refuses (alert, close, silence). The connection is closed
/// right after; nothing else is sent.
pub async fn legacy_tls_server_hello(
    ip: IpAddr,
    port: u16,
    version: u16,
    cfg: &ProbeConfig,
) -> Result<Option<u16>, ProbeError> {
    let deadline = Instant::now() + cfg.step_timeout;
    let mut tcp = tcp_connect(ip, port, cfg, deadline).await?;
    let random: [u8; 32] = rand::random();
    let hello = legacy_client_hello(version, random);
    match timeout(cfg.read_timeout.min(left(deadline)), tcp.write_all(&hello)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(ProbeError::Io(e)),
        Err(_) => return Ok(None),
    }
    let mut buf = Vec::with_capacity(64);
    let mut tmp = [0u8; 512];
    while buf.len() < 11 {
        let wait = cfg.read_timeout.min(left(deadline));
        match timeout(wait, tcp.read(&mut tmp)).await {
            Ok(Ok(0)) | Err(_) => break,
            Ok(Ok(n)) => buf.extend_from_slice(&tmp[..n]),
            Ok(Err(_)) => break,
        }
    }
    drop(tcp);
    Ok(parse_server_hello_version(&buf).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_hello_shape() {
        let h = legacy_client_hello(TLS11, [7; 32]);
        assert_eq!(&h[..3], &[0x16, 0x03, 0x01]);
        let rec_len = u16::from_be_bytes([h[3], h[4]]) as usize;
        assert_eq!(rec_len, h.len() - 5);
        assert_eq!(h[5], 0x01, "ClientHello");
        let hs_len = u32::from_be_bytes([0, h[6], h[7], h[8]]) as usize;
        assert_eq!(hs_len, h.len() - 9);
        assert_eq!(&h[9..11], &[0x03, 0x02], "client_version TLS 1.1");
        let ssl3 = legacy_client_hello(SSL3, [0; 32]);
        assert_eq!(&ssl3[1..3], &[0x03, 0x00]);
    }

    #[test]
    fn server_hello_versions() {
        // record(handshake, TLS1.0) + ServerHello(len) + version 3.1
        let sh = [
            0x16, 0x03, 0x01, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x01,
        ];
        assert_eq!(parse_server_hello_version(&sh), Ok(TLS10));
        let alert = [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46];
        assert_eq!(parse_server_hello_version(&alert), Err(Some(0x46)));
        assert_eq!(parse_server_hello_version(b"HTTP/1.1 400"), Err(None));
        assert_eq!(parse_server_hello_version(&[]), Err(None));
    }
}
