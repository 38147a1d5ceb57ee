//! Bounded connections: connect, optional TLS (any certificate accepted, we fingerprint and
//! do not trust), and reads that are capped in bytes and time.

use crate::budget::{ByteBudget, FREE_BYTES, Held};
use crate::chunked::decode_chunked;
use crate::config::ProbeConfig;
use crate::error::ProbeError;
use crate::head::{Head, Protocol, could_be_status_line, find_head_end, parse_head};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

/// Largest single read.
const READ_CHUNK: usize = 8 * 1024;

pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// What the TLS handshake showed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsInfo {
    /// `TLSv1.2`, `TLSv1.3`.
    pub version: String,
    pub cipher: String,
    /// DER of the leaf certificate the server presented.
    pub leaf_der: Option<Vec<u8>>,
    /// Number of certificates in the chain.
    pub chain_len: usize,
}

/// Bytes a connection may buffer: the body cap plus room for a head.
fn buffer_cap(cfg: &ProbeConfig) -> usize {
    cfg.max_response_bytes
        .max(1024)
        .saturating_add(crate::head::MAX_HEAD_BYTES)
}

/// Time left until `deadline` (zero when past).
pub(crate) fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// TCP connect bounded by `connect_timeout` and the step deadline.
pub(crate) async fn tcp_connect(
    ip: IpAddr,
    port: u16,
    cfg: &ProbeConfig,
    deadline: Instant,
) -> Result<TcpStream, ProbeError> {
    let wait = cfg.connect_timeout.min(left(deadline));
    match timeout(wait, TcpStream::connect(SocketAddr::new(ip, port))).await {
        Ok(Ok(s)) => {
            let _ = s.set_nodelay(true);
            Ok(s)
        }
        Ok(Err(e)) => Err(ProbeError::Connect(e)),
        Err(_) => Err(ProbeError::Timeout {
            stage: "connect",
            after: wait,
            received: 0,
        }),
    }
}

#[derive(Debug)]
struct AcceptAnyCert(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &rustls::pki_types::CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }
    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &rustls::pki_types::CertificateDer<'_>,
        _dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn tls_config() -> Result<Arc<rustls::ClientConfig>, ProbeError> {
    static CFG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    CFG.get_or_init(|| {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
            .with_no_client_auth();
        Ok(Arc::new(cfg))
    })
    .clone()
    .map_err(ProbeError::Tls)
}

fn version_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        rustls::ProtocolVersion::TLSv1_1 => "TLSv1.1".into(),
        rustls::ProtocolVersion::TLSv1_0 => "TLSv1.0".into(),
        other => format!("{other:?}"),
    }
}

/// A connection with a read buffer. Everything read is capped by `cap`.
pub(crate) struct Conn {
    io: Box<dyn Io>,
    /// Bytes read and not yet consumed.
    pub(crate) buf: Vec<u8>,
    /// The peer closed its side.
    pub(crate) eof: bool,
    /// The connection can no longer carry another exchange (body skipped, error…).
    pub(crate) spoiled: bool,
    pub(crate) tls: Option<TlsInfo>,
    cap: usize,
    /// The scan's byte budget, and what this connection's buffer holds of it.
    budget: ByteBudget,
    held: Held,
}

/// Outcome of reading a response head.
pub(crate) enum HeadRead {
    Head(Head),
    /// Nothing arrived before the wait ran out.
    Silent(Duration),
    /// The peer closed without sending a byte.
    Closed,
    /// Bytes arrived that are not an HTTP/RTSP status line (kept in `Conn::buf`).
    NotProtocol,
    /// Something arrived but broke down (too large, cut off, malformed, I/O).
    Broken(ProbeError),
}

impl Conn {
    /// Connect (and, with `tls`, handshake) within the step deadline.
    pub(crate) async fn open(
        ip: IpAddr,
        port: u16,
        tls: bool,
        cfg: &ProbeConfig,
        deadline: Instant,
    ) -> Result<Conn, ProbeError> {
        let tcp = tcp_connect(ip, port, cfg, deadline).await?;
        if !tls {
            return Ok(Conn::plain(tcp, cfg));
        }
        let connector = tokio_rustls::TlsConnector::from(tls_config()?);
        let name = rustls::pki_types::ServerName::IpAddress(ip.into());
        let wait = cfg
            .read_timeout
            .max(cfg.connect_timeout)
            .min(left(deadline));
        let stream = match timeout(wait, connector.connect(name, tcp)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(ProbeError::Tls(e.to_string())),
            Err(_) => {
                return Err(ProbeError::Timeout {
                    stage: "TLS handshake",
                    after: wait,
                    received: 0,
                });
            }
        };
        let (_, c) = stream.get_ref();
        let info = TlsInfo {
            version: c.protocol_version().map(version_name).unwrap_or_default(),
            cipher: c
                .negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite()))
                .unwrap_or_default(),
            leaf_der: c
                .peer_certificates()
                .and_then(|certs| certs.first())
                .map(|d| d.as_ref().to_vec()),
            chain_len: c.peer_certificates().map_or(0, <[_]>::len),
        };
        Ok(Conn {
            io: Box::new(stream),
            buf: Vec::new(),
            eof: false,
            spoiled: false,
            tls: Some(info),
            cap: buffer_cap(cfg),
            budget: cfg.budget.clone(),
            held: Held::default(),
        })
    }

    pub(crate) fn plain(tcp: TcpStream, cfg: &ProbeConfig) -> Conn {
        Conn {
            io: Box::new(tcp),
            buf: Vec::new(),
            eof: false,
            spoiled: false,
            tls: None,
            cap: buffer_cap(cfg),
            budget: cfg.budget.clone(),
            held: Held::default(),
        }
    }

    pub(crate) async fn send(
        &mut self,
        data: &[u8],
        cfg: &ProbeConfig,
        deadline: Instant,
    ) -> Result<(), ProbeError> {
        let wait = cfg.read_timeout.min(left(deadline));
        match timeout(wait, async {
            self.io.write_all(data).await?;
            self.io.flush().await
        })
        .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                self.spoiled = true;
                Err(ProbeError::Io(e))
            }
            Err(_) => {
                self.spoiled = true;
                Err(ProbeError::Timeout {
                    stage: "send",
                    after: wait,
                    received: 0,
                })
            }
        }
    }

    /// One read of at most `READ_CHUNK` bytes, waiting at most `wait` (and never past the
    /// deadline). `Ok(0)` means the peer closed. `Err(Timeout)` means nothing came (or the
    /// scan's byte budget had no room for this buffer to grow in time).
    ///
    /// The bytes land directly in the buffer, which grows only as data arrives, one read at a
    /// time (no doubling beyond the cap); growth beyond [`FREE_BYTES`] is taken from the
    /// byte budget and given back when the connection is dropped.
    pub(crate) async fn read_more(
        &mut self,
        wait: Duration,
        deadline: Instant,
    ) -> Result<usize, ProbeError> {
        if self.eof {
            return Ok(0);
        }
        let room = self.cap.saturating_sub(self.buf.len());
        if room == 0 {
            return Err(ProbeError::TooLarge { limit: self.cap });
        }
        let wait = wait.min(left(deadline));
        let started = Instant::now();
        let want = room.min(READ_CHUNK);
        let len = self.buf.len();
        if self.buf.capacity() < len + want {
            let new_cap = len + want;
            // Bytes beyond the free allowance that this buffer does not hold yet.
            let need = new_cap
                .saturating_sub(FREE_BYTES)
                .saturating_sub(self.held.bytes());
            if need > 0 && !self.budget.grow(&mut self.held, need, wait).await {
                return Err(ProbeError::Timeout {
                    stage: "read (byte budget)",
                    after: wait,
                    received: self.buf.len(),
                });
            }
            self.buf.reserve_exact(new_cap - len);
        }
        let wait = wait.saturating_sub(started.elapsed());
        self.buf.resize(len + want, 0);
        let got = timeout(wait, self.io.read(&mut self.buf[len..])).await;
        let n = match &got {
            Ok(Ok(n)) => *n,
            _ => 0,
        };
        self.buf.truncate(len + n);
        match got {
            Ok(Ok(0)) => {
                self.eof = true;
                Ok(0)
            }
            Ok(Ok(n)) => Ok(n),
            Ok(Err(e)) => {
                self.eof = true;
                self.spoiled = true;
                Err(ProbeError::Io(e))
            }
            Err(_) => Err(ProbeError::Timeout {
                stage: "read",
                after: wait,
                received: self.buf.len(),
            }),
        }
    }

    /// Read bytes until the peer has been quiet for `idle` (or `first_wait` before the first
    /// byte), `max` bytes are buffered, the peer closes, or the deadline passes.
    pub(crate) async fn read_until_quiet(
        &mut self,
        first_wait: Duration,
        idle: Duration,
        max: usize,
        deadline: Instant,
    ) {
        let start_len = self.buf.len();
        while self.buf.len() < max && !self.eof && !left(deadline).is_zero() {
            let wait = if self.buf.len() == start_len {
                first_wait
            } else {
                idle
            };
            match self.read_more(wait, deadline).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }

    /// Read and parse one response head (HTTP or RTSP). On success the head's bytes are
    /// removed from the buffer; the body (if any) stays.
    pub(crate) async fn read_head(&mut self, cfg: &ProbeConfig, deadline: Instant) -> HeadRead {
        let mut waited = Duration::ZERO;
        loop {
            if find_head_end(&self.buf).is_some() {
                return match parse_head(&self.buf) {
                    Ok(h) => {
                        self.buf.drain(..h.len.min(self.buf.len()));
                        HeadRead::Head(h)
                    }
                    Err(crate::error::ParseError::TooLarge { limit }) => {
                        self.spoiled = true;
                        HeadRead::Broken(ProbeError::TooLarge { limit })
                    }
                    Err(_) if !could_be_status_line(&self.buf) => {
                        self.spoiled = true;
                        HeadRead::NotProtocol
                    }
                    Err(e) => {
                        self.spoiled = true;
                        HeadRead::Broken(ProbeError::Malformed {
                            what: format!("response head: {e}"),
                        })
                    }
                };
            }
            if !self.buf.is_empty() && !could_be_status_line(&self.buf) {
                self.spoiled = true;
                return HeadRead::NotProtocol;
            }
            if self.buf.len() > crate::head::MAX_HEAD_BYTES {
                self.spoiled = true;
                return HeadRead::Broken(ProbeError::TooLarge {
                    limit: crate::head::MAX_HEAD_BYTES,
                });
            }
            let before = Instant::now();
            match self.read_more(cfg.read_timeout, deadline).await {
                Ok(0) => {
                    self.spoiled = true;
                    if self.buf.is_empty() {
                        return HeadRead::Closed;
                    }
                    // Closed after an unterminated head: accept it if it parses as one.
                    let mut tmp = self.buf.clone();
                    tmp.extend_from_slice(b"\r\n\r\n");
                    return match parse_head(&tmp) {
                        Ok(mut h) => {
                            h.len = self.buf.len();
                            self.buf.clear();
                            HeadRead::Head(h)
                        }
                        Err(_) => HeadRead::Broken(ProbeError::Closed {
                            received: self.buf.len(),
                        }),
                    };
                }
                Ok(_) => {}
                Err(ProbeError::Timeout { received: 0, .. }) => {
                    self.spoiled = true;
                    waited += before.elapsed();
                    return HeadRead::Silent(waited);
                }
                Err(e) => {
                    self.spoiled = true;
                    return HeadRead::Broken(e);
                }
            }
            waited += before.elapsed();
        }
    }

    /// The first `n` buffered bytes, removed from the buffer. When they are all of it, the
    /// buffer itself is handed over (no copy), trimmed to its length.
    fn take_front(&mut self, n: usize) -> Vec<u8> {
        if n >= self.buf.len() {
            let mut v = std::mem::take(&mut self.buf);
            v.shrink_to_fit();
            v
        } else {
            self.buf.drain(..n).collect()
        }
    }

    /// Read the body that follows `head`, bounded by the byte cap and the deadline. A body cut
    /// short (timeout, close) is returned as far as it came. `head_request`: no body follows.
    pub(crate) async fn read_body(
        &mut self,
        head: &Head,
        head_request: bool,
        cfg: &ProbeConfig,
        deadline: Instant,
    ) -> Vec<u8> {
        let cap = cfg.max_response_bytes;
        let no_body = head_request
            || (100..200).contains(&head.status)
            || head.status == 204
            || head.status == 304;
        if no_body {
            return Vec::new();
        }
        if head.protocol == Protocol::Http && head.is_chunked() {
            loop {
                match decode_chunked(&self.buf, cap) {
                    Ok(d) if d.complete || d.truncated => {
                        if d.truncated {
                            self.spoiled = true;
                        }
                        self.buf.drain(..d.consumed.min(self.buf.len()));
                        return d.body;
                    }
                    Ok(d) => {
                        if self.eof || left(deadline).is_zero() || self.buf.len() >= self.cap {
                            self.spoiled = true;
                            return d.body;
                        }
                        match self.read_more(cfg.read_timeout, deadline).await {
                            Ok(n) if n > 0 => {}
                            _ => {
                                self.spoiled = true;
                                return d.body;
                            }
                        }
                    }
                    Err(_) => {
                        // Not really chunked: hand back the raw bytes.
                        self.spoiled = true;
                        let n = self.buf.len().min(cap);
                        return self.take_front(n);
                    }
                }
            }
        }
        let want = match head.content_length() {
            Some(n) => {
                if n > cap as u64 {
                    self.spoiled = true; // the rest of the body is never read
                }
                n.min(cap as u64) as usize
            }
            // RTSP: no Content-Length means no body.
            None if head.protocol == Protocol::Rtsp => return Vec::new(),
            // HTTP: read until close.
            None => {
                self.spoiled = true;
                cap
            }
        };
        while self.buf.len() < want && !self.eof && !left(deadline).is_zero() {
            match self.read_more(cfg.read_timeout, deadline).await {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
        let n = self.buf.len().min(want);
        if n < want && head.content_length().is_some() {
            self.spoiled = true;
        }
        self.take_front(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_config_builds() {
        assert!(tls_config().is_ok());
    }
}
