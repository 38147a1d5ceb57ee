//! Identification of unknown makers: replay real banners on loopback, scan them with the real
//! `camguard scan` (and `nmap -sV` when installed), score camera recall, decoy rejection and
//! vendor accuracy on the training and held-out parts of the corpus.
//!
//! ```text
//! cargo build --bin camguard && cargo run -p camguard-sim --example identify_bench -- \
//!     --bin target/debug/camguard [--bin OTHER] [--nmap | --nmap-heldout] [--nmap-jobs 4] \
//!     [--base 127.88] [--third 0] [--corpus bench/identify] [--show-heldout] [--nmap-xml DIR] \
//!     [--rules]
//! ```
//!
//! `--nmap-xml DIR` scores the `nmap-*.xml` files an earlier `--nmap` run on the same corpus,
//! base and third octet left in DIR (hard-link them out of the run's temporary directory while
//! it runs) instead of running nmap again: same hosts, same nmap answers, labels as now.
//!
//! Each sample of `bench/identify/corpus-{train,heldout}.jsonl` gets its own address
//! `127.<base>.x.y` and one service: an HTTP server on 80 (the `Server` header, the HTML title or
//! the `WWW-Authenticate` challenge of the sample), TLS on 443 with a certificate whose subject
//! (or issuer) is the sample, a telnet (23), FTP (21) or SSH (22) banner, or an RTSP server
//! (554) with the sample as its `Server`. Only 127.0.0.0/8 is used; port 2024 never.
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line benchmark prints its results"
)]

use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

const PORTS: &str = "21,22,23,80,443,554";

const USAGE: &str =
    "usage: identify_bench [--bin CAMGUARD]... [--corpus DIR] [--base 127.N] [--third N]
                      [--nmap | --nmap-heldout] [--nmap-jobs N] [--nmap-xml DIR] [--show-heldout]
                      [--rules]

Replays each sample of DIR/corpus-{train,heldout}.jsonl (default bench/identify) on its own
loopback address 127.N.(third + i/250).(i%250 + 1), scans them all with every --bin (default
target/debug/camguard) and, with --nmap, with nmap -sV; prints camera recall, decoy rejection
and vendor accuracy per part, and the training part's misses (held-out misses only with
--show-heldout). --rules also prints, per part, the camguard rules behind the decoys called
cameras with a count each, and the negative rules behind the cameras not called cameras (with
how many misses had no rule behind them) (no sample is named, so the held-out part stays
unread): an over-broad rule shows up without reading a held-out sample. A WARNING line counts, per part, the
replayed services camguard did not read (port closed, or a web or RTSP port not taken for its
protocol): on a machine loaded by other work, replies come after the scan's timeouts and such
verdicts are no identification results; run one replay at a time. The check is partial: a reply
whose title came too late can still pass it. See BENCHMARKS.md section 7.";

#[derive(Clone)]
struct Sample {
    id: String,
    kind: String,
    value: String,
    camera: bool,
    vendor: Option<String>,
    heldout: bool,
    ip: Ipv4Addr,
}

fn load(path: &str, heldout: bool) -> Vec<Sample> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("corpus line is JSON");
            Sample {
                id: v["id"].as_str().unwrap_or_default().to_string(),
                kind: v["kind"].as_str().unwrap_or_default().to_string(),
                value: v["value"].as_str().unwrap_or_default().to_string(),
                camera: v["label"] == "camera",
                vendor: v["vendor_expected"].as_str().map(str::to_string),
                heldout,
                ip: Ipv4Addr::UNSPECIFIED,
            }
        })
        .collect()
}

/// Parse an RFC 4514-ish DN as Recog writes it (`CN=a,O=b\, Inc.,C=US`).
fn dn_of(s: &str) -> DistinguishedName {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut esc = false;
    for c in s.chars() {
        if esc {
            cur.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == ',' {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    let mut dn = DistinguishedName::new();
    let mut any = false;
    for p in parts {
        let Some((k, v)) = p.split_once('=') else {
            continue;
        };
        let t = match k.trim().to_ascii_uppercase().as_str() {
            "CN" => DnType::CommonName,
            "O" => DnType::OrganizationName,
            "OU" => DnType::OrganizationalUnitName,
            "L" => DnType::LocalityName,
            "ST" => DnType::StateOrProvinceName,
            "C" => DnType::CountryName,
            _ => continue,
        };
        dn.push(t, DnValue::Utf8String(v.trim().to_string()));
        any = true;
    }
    if !any {
        dn.push(DnType::CommonName, DnValue::Utf8String(s.to_string()));
    }
    dn
}

fn acceptor(s: &Sample) -> tokio_rustls::TlsAcceptor {
    let leaf_key = KeyPair::generate().expect("key");
    let mut leaf = CertificateParams::new(Vec::<String>::new()).expect("params");
    let chain: Vec<CertificateDer<'static>> = if s.kind == "tls.issuer" {
        let ca_key = KeyPair::generate().expect("key");
        let mut ca = CertificateParams::default();
        ca.distinguished_name = dn_of(&s.value);
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca_der = ca.self_signed(&ca_key).expect("ca").der().clone();
        leaf.distinguished_name = {
            let mut d = DistinguishedName::new();
            d.push(DnType::CommonName, "device");
            d
        };
        let issuer = Issuer::new(ca, ca_key);
        vec![
            leaf.signed_by(&leaf_key, &issuer)
                .expect("leaf")
                .der()
                .clone(),
            ca_der,
        ]
    } else {
        leaf.distinguished_name = dn_of(&s.value);
        vec![leaf.self_signed(&leaf_key).expect("leaf").der().clone()]
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .expect("cert");
    tokio_rustls::TlsAcceptor::from(Arc::new(cfg))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The HTTP reply a sample's web server gives to every request.
fn http_reply(s: &Sample) -> Vec<u8> {
    let one_line = |v: &str| v.replace(['\r', '\n'], " ");
    let (status, extra, body) = match s.kind.as_str() {
        "http.server" => (
            "200 OK",
            format!("Server: {}\r\n", one_line(&s.value)),
            "<html><body></body></html>".to_string(),
        ),
        "http.title" => (
            "200 OK",
            String::new(),
            format!(
                "<html><head><title>{}</title></head><body></body></html>",
                html_escape(&s.value)
            ),
        ),
        "http.www_authenticate" => (
            "401 Unauthorized",
            format!("WWW-Authenticate: {}\r\n", one_line(&s.value)),
            "<html><body>401 Unauthorized</body></html>".to_string(),
        ),
        _ => (
            "200 OK",
            String::new(),
            "<html><body></body></html>".to_string(),
        ),
    };
    format!(
        "HTTP/1.1 {status}\r\n{extra}Content-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn read_head<S: AsyncRead + Unpin>(s: &mut S) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() > 16384 {
            return Some(buf);
        }
    }
}

async fn serve_http<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, reply: Arc<Vec<u8>>) {
    if read_head(&mut s).await.is_some() {
        let _ = s.write_all(&reply).await;
        let _ = s.shutdown().await;
    }
}

async fn drain<S: AsyncRead + Unpin>(s: &mut S) {
    let mut chunk = [0u8; 1024];
    while let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(5), s.read(&mut chunk)).await {
        if n == 0 {
            break;
        }
    }
}

async fn serve_line<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, kind: String, value: Arc<String>) {
    match kind.as_str() {
        "telnet.banner" => {
            let _ = s
                .write_all(value.replace("\r\n", "\n").replace('\n', "\r\n").as_bytes())
                .await;
            drain(&mut s).await;
        }
        "ssh.banner" => {
            let _ = s
                .write_all(format!("SSH-2.0-{}\r\n", value.lines().next().unwrap_or("")).as_bytes())
                .await;
            drain(&mut s).await;
        }
        "ftp.banner" => {
            let _ = s
                .write_all(format!("220 {}\r\n", value.replace(['\r', '\n'], " ")).as_bytes())
                .await;
            let mut chunk = [0u8; 1024];
            while let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_secs(5), s.read(&mut chunk)).await
            {
                if n == 0 {
                    break;
                }
                let line = String::from_utf8_lossy(&chunk[..n]).to_ascii_uppercase();
                let reply: &[u8] = if line.starts_with("USER") {
                    b"331 Password required.\r\n"
                } else if line.starts_with("QUIT") {
                    b"221 Goodbye.\r\n"
                } else {
                    b"530 Login incorrect.\r\n"
                };
                if s.write_all(reply).await.is_err() || line.starts_with("QUIT") {
                    break;
                }
            }
        }
        "rtsp.server" => {
            let server = value.replace(['\r', '\n'], " ");
            while let Some(req) = read_head(&mut s).await {
                let text = String::from_utf8_lossy(&req).to_string();
                let cseq = text
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.trim()
                            .eq_ignore_ascii_case("cseq")
                            .then(|| v.trim().to_string())
                    })
                    .unwrap_or_else(|| "1".into());
                let reply = if text.starts_with("OPTIONS") {
                    format!(
                        "RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nServer: {server}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n"
                    )
                } else {
                    format!("RTSP/1.0 404 Not Found\r\nCSeq: {cseq}\r\nServer: {server}\r\n\r\n")
                };
                if s.write_all(reply.as_bytes()).await.is_err() {
                    break;
                }
            }
        }
        "rtsp.reply" => serve_rtsp_capture(&mut s, &value).await,
        _ => {}
    }
}

/// A captured RTSP reply (status line, headers, SDP body) or a bare SDP, as `(status line,
/// headers without CSeq/Content-Length, body)`.
fn rtsp_capture(text: &str) -> (String, Vec<String>, String) {
    let text = text.replace("\r\n", "\n");
    if text.trim_start().starts_with("v=") {
        let body = text.trim_start().replace('\n', "\r\n");
        return (
            "RTSP/1.0 200 OK".into(),
            vec!["Content-Type: application/sdp".into()],
            body,
        );
    }
    let (head, body) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap_or("RTSP/1.0 200 OK")
        .trim_end()
        .to_string();
    let headers = lines
        .map(|l| l.trim_end().to_string())
        .filter(|l| {
            let k = l.split(':').next().unwrap_or_default().trim();
            !l.is_empty()
                && !k.eq_ignore_ascii_case("cseq")
                && !k.eq_ignore_ascii_case("content-length")
        })
        .collect();
    (status, headers, body.replace('\n', "\r\n"))
}

/// Replay a captured RTSP reply: a 401 capture answers every request; a capture with `Public:`
/// answers OPTIONS; a capture with a body answers DESCRIBE. Other requests get the capture's
/// `Server` header (if any) on a plain reply.
async fn serve_rtsp_capture<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S, value: &str) {
    let (status, headers, body) = rtsp_capture(value);
    let server: Vec<&String> = headers
        .iter()
        .filter(|h| h.to_ascii_lowercase().starts_with("server:"))
        .collect();
    let is_auth = status.contains(" 401 ");
    let has_public = headers
        .iter()
        .any(|h| h.to_ascii_lowercase().starts_with("public:"));
    while let Some(req) = read_head(s).await {
        let text = String::from_utf8_lossy(&req).to_string();
        let cseq = text
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("cseq")
                    .then(|| v.trim().to_string())
            })
            .unwrap_or_else(|| "1".into());
        let captured = is_auth
            || (text.starts_with("OPTIONS") && has_public)
            || (text.starts_with("DESCRIBE") && !body.is_empty());
        let reply = if captured {
            let mut r = format!("{status}\r\nCSeq: {cseq}\r\n");
            for h in &headers {
                r.push_str(h);
                r.push_str("\r\n");
            }
            if !body.is_empty() {
                r.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            r + "\r\n" + &body
        } else {
            let mut r = if text.starts_with("OPTIONS") {
                format!(
                    "RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n"
                )
            } else {
                format!("RTSP/1.0 404 Not Found\r\nCSeq: {cseq}\r\n")
            };
            for h in &server {
                r.push_str(h);
                r.push_str("\r\n");
            }
            r + "\r\n"
        };
        if s.write_all(reply.as_bytes()).await.is_err() {
            break;
        }
    }
}

async fn start(s: Sample) -> std::io::Result<()> {
    let Some(port) = port_of(&s.kind) else {
        return Ok(());
    };
    let l = TcpListener::bind((s.ip, port)).await?;
    let reply = Arc::new(http_reply(&s));
    let tls = (port == 443).then(|| acceptor(&s));
    let value = Arc::new(s.value.clone());
    tokio::spawn(async move {
        while let Ok((c, _)) = l.accept().await {
            let (reply, tls, value, kind) =
                (reply.clone(), tls.clone(), value.clone(), s.kind.clone());
            tokio::spawn(async move {
                if let Some(acc) = tls {
                    if let Ok(Ok(t)) =
                        tokio::time::timeout(Duration::from_secs(10), acc.accept(c)).await
                    {
                        serve_http(t, reply).await;
                    }
                } else if port == 80 {
                    serve_http(c, reply).await;
                } else {
                    serve_line(c, kind, value).await;
                }
            });
        }
    });
    Ok(())
}

#[derive(Default, Clone)]
struct Verdict {
    camera: bool,
    vendor: Option<String>,
    brand: Option<String>,
    /// The rules behind camguard's conclusions (empty for nmap).
    rules: Vec<String>,
    /// The ports camguard saw open, with the service it took each for (empty for nmap).
    ports: Vec<(u16, String)>,
}

fn run_camguard(bin: &str, targets: &Path, out: &Path) -> HashMap<String, Verdict> {
    let t0 = std::time::Instant::now();
    let st = std::process::Command::new(bin)
        .args([
            "scan",
            &format!("@{}", targets.display()),
            "-p",
            PORTS,
            "--no-assess",
            "--no-wsd",
            "-q",
            "-f",
            "json",
            "-o",
        ])
        .arg(out)
        .status()
        .expect("run camguard");
    assert!(st.success(), "camguard scan failed: {st}");
    eprintln!("{bin}: scan took {:.1} s", t0.elapsed().as_secs_f64());
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(out).expect("scan output")).expect("json");
    let mut m = HashMap::new();
    for h in doc["hosts"].as_array().into_iter().flatten() {
        m.insert(
            h["ip"].as_str().unwrap_or_default().to_string(),
            Verdict {
                camera: h["is_camera"].as_bool().unwrap_or(false),
                vendor: h["vendor"].as_str().map(str::to_string),
                brand: h["brand"].as_str().map(str::to_string),
                rules: {
                    let mut r: Vec<String> = h["evidence"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| c["rule"].as_str().map(str::to_string))
                        .collect();
                    r.sort();
                    r.dedup();
                    r
                },
                ports: h["open_ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| {
                        let port = u16::try_from(p["port"].as_u64()?).ok()?;
                        Some((port, p["service"].as_str().unwrap_or_default().to_string()))
                    })
                    .collect(),
            },
        );
    }
    m
}

/// The one port a sample's service listens on (`None` for a kind the fixture does not serve).
fn port_of(kind: &str) -> Option<u16> {
    Some(match kind {
        "http.server" | "http.title" | "http.www_authenticate" => 80,
        "tls.subject" | "tls.issuer" => 443,
        "telnet.banner" => 23,
        "ftp.banner" => 21,
        "ssh.banner" => 22,
        "rtsp.server" | "rtsp.reply" => 554,
        _ => return None,
    })
}

/// nmap's settings (documented in BENCHMARKS.md §7): the default version intensity, one retry,
/// a host timeout, and large host groups so that nmap's own parallelism applies.
const NMAP_ARGS: &[&str] = &[
    "-sV",
    "-Pn",
    "-n",
    "--version-intensity",
    "7",
    "-T4",
    "--max-retries",
    "1",
    "--host-timeout",
    "300s",
    "--min-hostgroup",
    "256",
];

/// Words of nmap's `product`/`extrainfo`/`devicetype`/`ostype` that call a camera.
const NMAP_CAMERA: &[&str] = &[
    "camera",
    "webcam",
    "dvr",
    "nvr",
    "network video recorder",
    "video recorder",
    "video server",
    "video encoder",
    "surveillance",
    "ipcam",
    "netcam",
];

fn xml_attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let i = tag.find(&needle)? + needle.len();
    let raw = tag[i..].split('"').next()?;
    Some(
        raw.replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// What nmap said about each host of one `-oX` file: a camera when a service's `devicetype` is
/// `webcam` or `security-misc` or its product/extrainfo/devicetype/ostype names a camera, DVR,
/// NVR or video server/encoder (word match; the raw `servicefp` of unrecognised services, which
/// echoes the banner, is never read); the vendor text is those attributes plus the CPEs.
fn parse_nmap(xml: &str, m: &mut HashMap<String, Verdict>) {
    for host in xml.split("<host ").skip(1) {
        let Some(ip) = host
            .split("<address ")
            .nth(1)
            .and_then(|a| xml_attr(&format!(" {a}"), "addr"))
        else {
            continue;
        };
        let mut v = Verdict::default();
        let mut text = String::new();
        for svc in host.split("<service ").skip(1) {
            let tag = format!(" {}", svc.split('>').next().unwrap_or_default());
            let dt = xml_attr(&tag, "devicetype").unwrap_or_default();
            v.camera |= dt == "webcam" || dt == "security-misc";
            let mut said = String::new();
            for a in ["product", "extrainfo", "devicetype", "ostype"] {
                if let Some(p) = xml_attr(&tag, a) {
                    said.push_str(&p);
                    said.push(' ');
                }
            }
            let words: String = said
                .to_ascii_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
                .collect();
            let words = format!(
                " {} ",
                words.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            v.camera |= NMAP_CAMERA
                .iter()
                .any(|w| words.contains(&format!(" {w} ")));
            text.push_str(&said);
            let body = svc.split("</service>").next().unwrap_or_default();
            for cpe in body.split("<cpe>").skip(1) {
                text.push_str(cpe.split("</cpe>").next().unwrap_or_default());
                text.push(' ');
            }
        }
        v.vendor = Some(text);
        m.insert(ip, v);
    }
}

/// `nmap -sV` over the given samples: only each sample's own port, the hosts of one port split
/// into blocks of at most 128 addresses, up to `jobs` nmap processes at a time.
fn run_nmap(samples: &[&Sample], dir: &Path, jobs: usize) -> HashMap<String, Verdict> {
    let t0 = std::time::Instant::now();
    let mut by_port: std::collections::BTreeMap<u16, Vec<Ipv4Addr>> = Default::default();
    for s in samples {
        if let Some(p) = port_of(&s.kind) {
            by_port.entry(p).or_default().push(s.ip);
        }
    }
    let mut blocks = Vec::new();
    for (port, ips) in &by_port {
        for (i, chunk) in ips.chunks(128).enumerate() {
            let list = dir.join(format!("nmap-{port}-{i}.txt"));
            std::fs::write(
                &list,
                chunk.iter().map(|ip| format!("{ip}\n")).collect::<String>(),
            )
            .expect("nmap target list");
            blocks.push((*port, list, dir.join(format!("nmap-{port}-{i}.xml"))));
        }
    }
    // The line services (FTP, SSH, telnet: many probes with long waits) start first.
    blocks.reverse();
    let queue = std::sync::Mutex::new(blocks);
    let m = std::sync::Mutex::new(HashMap::new());
    std::thread::scope(|sc| {
        for _ in 0..jobs.max(1) {
            sc.spawn(|| {
                loop {
                    let Some((port, list, out)) = queue.lock().expect("queue").pop() else {
                        break;
                    };
                    let st = std::process::Command::new("nmap")
                        .args(NMAP_ARGS)
                        .arg("-p")
                        .arg(port.to_string())
                        .arg("-iL")
                        .arg(&list)
                        .arg("-oX")
                        .arg(&out)
                        .stdout(std::process::Stdio::null())
                        .status()
                        .expect("run nmap");
                    assert!(st.success(), "nmap failed: {st}");
                    let xml = std::fs::read_to_string(&out).expect("nmap xml");
                    let timeouts = xml.matches("timedout=\"true\"").count();
                    eprintln!(
                        "nmap -p {port} {}: done at {:.0} s, {timeouts} host timeouts",
                        list.display(),
                        t0.elapsed().as_secs_f64()
                    );
                    parse_nmap(&xml, &mut m.lock().expect("map"));
                }
            });
        }
    });
    eprintln!("nmap -sV: scan took {:.1} s", t0.elapsed().as_secs_f64());
    m.into_inner().expect("map")
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

struct Score {
    /// Samples whose one service camguard did not see open: the replay did not reach them (a
    /// machine too loaded for the scan's timeouts), so their verdicts say nothing of identification.
    unreached: usize,
    cams: usize,
    cams_found: usize,
    decoys: usize,
    decoys_rejected: usize,
    named: usize,
    named_right: usize,
}

fn score(samples: &[&Sample], got: &HashMap<String, Verdict>, nmap: bool, show: bool) -> Score {
    let mut sc = Score {
        unreached: 0,
        cams: 0,
        cams_found: 0,
        decoys: 0,
        decoys_rejected: 0,
        named: 0,
        named_right: 0,
    };
    for s in samples {
        let v = got.get(&s.ip.to_string()).cloned().unwrap_or_default();
        if !nmap && !reached(s, &v) {
            sc.unreached += 1;
            if show {
                eprintln!(
                    "  not reached {} [{}] camguard saw {:?}",
                    s.id, s.kind, v.ports
                );
            }
        }
        if s.camera {
            sc.cams += 1;
            sc.cams_found += usize::from(v.camera);
            if !v.camera && show {
                eprintln!(
                    "  missed camera {} [{}] {:?}",
                    s.id,
                    s.kind,
                    s.value.chars().take(100).collect::<String>()
                );
            }
            if let Some(exp) = &s.vendor {
                sc.named += 1;
                // Both tools: right only when the host is called a camera and the maker is named
                // (camguard: its vendor or brand id; nmap: the id within its product, extrainfo,
                // device type, OS type or CPE text).
                let right = v.camera
                    && if nmap {
                        v.vendor
                            .as_deref()
                            .is_some_and(|t| norm(t).contains(&norm(exp)))
                    } else {
                        v.vendor.as_deref() == Some(exp) || v.brand.as_deref() == Some(exp)
                    };
                sc.named_right += usize::from(right);
                if !right && show {
                    eprintln!(
                        "  wrong vendor {} expected {exp}, got {:?}/{:?}",
                        s.id, v.vendor, v.brand
                    );
                }
            }
        } else {
            sc.decoys += 1;
            sc.decoys_rejected += usize::from(!v.camera);
            if v.camera && show {
                eprintln!(
                    "  decoy called camera {} [{}] {:?}",
                    s.id,
                    s.kind,
                    s.value.chars().take(100).collect::<String>()
                );
            }
        }
    }
    sc
}

/// Whether camguard read the sample's service: its one port open and, for the web and RTSP
/// ports, taken for the protocol the fixture speaks there (a reply read too late leaves the port
/// open but its service unknown).
fn reached(s: &Sample, v: &Verdict) -> bool {
    let Some(port) = port_of(&s.kind) else {
        return true;
    };
    // A greeting that names no protocol is read too (camguard may call a telnet port whose
    // banner has no option negotiation `unknown`): for those ports, open is enough.
    let want: &[&str] = match port {
        80 => &["http"],
        443 => &["https", "http", "tls"],
        554 => &["rtsp"],
        _ => &[],
    };
    v.ports
        .iter()
        .any(|(p, svc)| *p == port && (want.is_empty() || want.contains(&svc.as_str())))
}

/// The rules (all evidence of a not-camera verdict is negative) behind the cameras camguard did
/// not call cameras, with a count each, and how many of those misses had no rule at all behind
/// them: a camera beaten by a negative rule is a weight question, one with nothing behind it a
/// knowledge question (counts only, no sample named).
fn rules_behind_missed(samples: &[&Sample], got: &HashMap<String, Verdict>) -> String {
    let missed: Vec<(&Sample, &Verdict)> = samples
        .iter()
        .filter(|s| s.camera)
        .filter_map(|s| Some((*s, got.get(&s.ip.to_string()).filter(|v| !v.camera)?)))
        .collect();
    // The fields the misses with nothing behind them came in, most first.
    let mut by_kind: Vec<(&str, usize)> = Vec::new();
    for (s, _) in missed.iter().filter(|(_, v)| v.rules.is_empty()) {
        match by_kind.iter_mut().find(|(k, _)| *k == s.kind) {
            Some((_, n)) => *n += 1,
            None => by_kind.push((&s.kind, 1)),
        }
    }
    by_kind.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let bare: usize = by_kind.iter().map(|(_, n)| n).sum();
    let kinds = by_kind
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let verdicts: Vec<&Verdict> = missed.iter().map(|(_, v)| *v).collect();
    format!(
        "{}; misses with no rule behind them: {bare}{}",
        rule_counts(&verdicts),
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({kinds})")
        }
    )
}

/// How many decoys called cameras each rule stood behind, most first (counts only).
fn rules_behind_decoys(samples: &[&Sample], got: &HashMap<String, Verdict>) -> String {
    let called: Vec<&Verdict> = samples
        .iter()
        .filter(|s| !s.camera)
        .filter_map(|s| got.get(&s.ip.to_string()).filter(|v| v.camera))
        .collect();
    rule_counts(&called)
}

/// `rule ×count, …` over the verdicts' rules, most first; `none` when there are none.
fn rule_counts(verdicts: &[&Verdict]) -> String {
    let mut n: HashMap<&str, usize> = HashMap::new();
    for r in verdicts.iter().flat_map(|v| &v.rules) {
        *n.entry(r.as_str()).or_default() += 1;
    }
    let mut v: Vec<(&str, usize)> = n.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    if v.is_empty() {
        return "none".into();
    }
    v.iter()
        .map(|(r, c)| format!("{r} ×{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ratio(a: usize, b: usize) -> String {
    if b == 0 {
        "–".into()
    } else {
        format!("{:.3} ({a}/{b})", a as f64 / b as f64)
    }
}

#[tokio::main]
async fn main() {
    let mut bins = Vec::new();
    let (mut with_nmap, mut nmap_heldout_only, mut nmap_jobs) = (false, false, 4usize);
    let (mut base, mut third, mut show_heldout, mut show_rules) = (88u8, 0u8, false, false);
    let mut nmap_xml: Option<String> = None;
    let mut dir = "bench/identify".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--bin" => bins.push(args.next().expect("--bin PATH")),
            "--nmap" => with_nmap = true,
            "--nmap-heldout" => (with_nmap, nmap_heldout_only) = (true, true),
            "--nmap-jobs" => {
                nmap_jobs = args
                    .next()
                    .and_then(|j| j.parse().ok())
                    .expect("--nmap-jobs N");
            }
            "--base" => {
                base = args
                    .next()
                    .and_then(|b| b.trim_start_matches("127.").parse().ok())
                    .expect("--base 127.N");
            }
            "--corpus" => dir = args.next().expect("--corpus DIR"),
            "--third" => {
                third = args
                    .next()
                    .and_then(|t| t.parse().ok())
                    .expect("--third N (first third octet)");
            }
            "--show-heldout" => show_heldout = true,
            "--rules" => show_rules = true,
            "--nmap-xml" => nmap_xml = Some(args.next().expect("--nmap-xml DIR")),
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => {
                eprintln!("identify_bench: unknown argument {other}\n\n{USAGE}");
                std::process::exit(2);
            }
        }
    }
    if bins.is_empty() {
        bins.push("target/debug/camguard".into());
    }
    let mut samples = load(&format!("{dir}/corpus-train.jsonl"), false);
    samples.extend(load(&format!("{dir}/corpus-heldout.jsonl"), true));
    for (i, s) in samples.iter_mut().enumerate() {
        s.ip = Ipv4Addr::new(127, base, third + (i / 250) as u8, (i % 250 + 1) as u8);
    }
    for s in &samples {
        start(s.clone())
            .await
            .unwrap_or_else(|e| panic!("bind {}: {e}", s.ip));
    }
    let tmp = std::env::temp_dir().join(format!("identify-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("tmp dir");
    let targets = tmp.join("targets.txt");
    std::fs::write(
        &targets,
        samples
            .iter()
            .map(|s| format!("{}\n", s.ip))
            .collect::<String>(),
    )
    .expect("targets");

    let mut results: Vec<(String, HashMap<String, Verdict>, bool)> = Vec::new();
    for (i, bin) in bins.iter().enumerate() {
        let out = tmp.join(format!("camguard-{i}.json"));
        let b = bin.clone();
        let t = targets.clone();
        let got = tokio::task::spawn_blocking(move || run_camguard(&b, &t, &out))
            .await
            .expect("join");
        results.push((format!("camguard ({bin})"), got, false));
    }
    if let Some(d) = &nmap_xml {
        let mut m = HashMap::new();
        let mut files = 0;
        for e in std::fs::read_dir(d).expect("--nmap-xml DIR") {
            let p = e.expect("dir entry").path();
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if name.starts_with("nmap-") && name.ends_with(".xml") {
                let xml = std::fs::read_to_string(&p).expect("nmap xml");
                assert!(xml.contains("</nmaprun>"), "{name}: nmap output incomplete");
                parse_nmap(&xml, &mut m);
                files += 1;
            }
        }
        eprintln!(
            "nmap -sV: {files} saved outputs from {d}, {} hosts",
            m.len()
        );
        results.push(("nmap -sV (saved)".into(), m, true));
    }
    if with_nmap {
        let chosen: Vec<Sample> = samples
            .iter()
            .filter(|s| s.heldout || !nmap_heldout_only)
            .cloned()
            .collect();
        let t = tmp.clone();
        let got = tokio::task::spawn_blocking(move || {
            run_nmap(&chosen.iter().collect::<Vec<_>>(), &t, nmap_jobs)
        })
        .await
        .expect("join");
        results.push(("nmap -sV".into(), got, true));
    }
    let train: Vec<&Sample> = samples.iter().filter(|s| !s.heldout).collect();
    let held: Vec<&Sample> = samples.iter().filter(|s| s.heldout).collect();
    println!(
        "| tool | part | samples | camera recall | decoy rejection | vendor accuracy (maker named) |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, got, nmap) in &results {
        for (part, set, show) in [
            ("training", &train, !nmap),
            ("held-out", &held, show_heldout && !nmap),
        ] {
            if *nmap && nmap_heldout_only && part == "training" {
                continue;
            }
            if show {
                eprintln!("{name} {part}:");
            }
            let sc = score(set, got, *nmap, show);
            println!(
                "| {name} | {part} | {} | {} | {} | {} |",
                set.len(),
                ratio(sc.cams_found, sc.cams),
                ratio(sc.decoys_rejected, sc.decoys),
                ratio(sc.named_right, sc.named)
            );
            if sc.unreached > 0 {
                eprintln!(
                    "WARNING {name} {part}: {} of {} replayed services were not seen open; their \
                     verdicts are not identification results (a loaded machine? run one replay \
                     at a time)",
                    sc.unreached,
                    set.len()
                );
            }
            if show_rules && !*nmap {
                eprintln!(
                    "{name} {part}: rules behind decoys called cameras: {}",
                    rules_behind_decoys(set, got)
                );
                eprintln!(
                    "{name} {part}: rules behind cameras not called cameras: {}",
                    rules_behind_missed(set, got)
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
