//! Hostile devices against the real binary: memory stays bounded whatever the devices send.
//!
//! 1,024 loopback hosts (127.201.0.0/22, as many as `scan` works on at once by default), each
//! with eight ports that send what an attacker's device would: endless bodies (plain, chunked,
//! with a huge `Content-Length`, to HTTP, RTSP and ONVIF requests), endless headers, endless
//! telnet/FTP banners and a slow drip. `camguard scan … --assess-all` assesses every host; its
//! peak resident memory (`VmHWM` of the child, read until it exits) must stay under 300 MB.
//!
//! For measuring: `CAMGUARD_HOSTILE_ARGS` adds scan options (e.g. `--no-assess`),
//! `CAMGUARD_HOSTILE_OUT=FILE` keeps the JSONL output.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// First address of the hostile fleet.
const BASE: [u8; 4] = [127, 201, 0, 0];
/// Hosts: the default number of hosts in flight.
const HOSTS: u32 = 1024;
/// Peak RSS allowed for the whole scan.
const LIMIT_KB: u64 = 300 * 1024;
/// How long a hostile connection keeps sending.
const HOLD: Duration = Duration::from_secs(90);

#[derive(Clone, Copy, Debug)]
enum Mode {
    /// `200 OK` without a length, then bytes until the peer gives up.
    EndlessBody,
    /// `401` with a Basic challenge and an endless chunked body.
    EndlessChunked,
    /// A status line, then header lines forever.
    EndlessHeaders,
    /// An RTSP `200` announcing a 1 GB body, then sending it.
    RtspHugeBody,
    /// An ONVIF-looking SOAP reply announcing 1 GB, then endless XML.
    SoapHugeBody,
    /// Telnet: a banner that never ends (no prompt).
    EndlessBanner,
    /// FTP: `220-` continuation lines forever.
    EndlessFtp,
    /// One byte every 50 ms of an HTTP reply.
    Drip,
}

const PORTS: [(u16, Mode); 8] = [
    (80, Mode::EndlessBody),
    (81, Mode::EndlessChunked),
    (8080, Mode::EndlessHeaders),
    (554, Mode::RtspHugeBody),
    (8899, Mode::SoapHugeBody),
    (23, Mode::EndlessBanner),
    (21, Mode::EndlessFtp),
    (8000, Mode::Drip),
];

fn addr(i: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::from(BASE)) + i)
}

/// Read what the client sent (if anything within a moment), then misbehave.
async fn serve(mut s: TcpStream, mode: Mode) {
    let started = tokio::time::Instant::now();
    let mut req = [0u8; 4096];
    let unprompted = matches!(mode, Mode::EndlessBanner | Mode::EndlessFtp);
    if !unprompted {
        let _ = tokio::time::timeout(Duration::from_millis(500), s.read(&mut req)).await;
    }
    let filler = vec![b'A'; 16 * 1024];
    let head: &[u8] = match mode {
        Mode::EndlessBody => b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><title>",
        Mode::EndlessChunked => b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"hostile\"\r\nTransfer-Encoding: chunked\r\n\r\n",
        Mode::EndlessHeaders => b"HTTP/1.1 200 OK\r\n",
        Mode::RtspHugeBody => b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: 1000000000\r\n\r\nv=0\r\n",
        Mode::SoapHugeBody => b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: 1000000000\r\n\r\n<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>",
        Mode::EndlessBanner => b"\r\nWelcome ",
        Mode::EndlessFtp => b"",
        Mode::Drip => b"HTTP/1.1 200 OK\r\n",
    };
    if s.write_all(head).await.is_err() {
        return;
    }
    let chunk: Vec<u8> = match mode {
        Mode::EndlessChunked => {
            let mut c = b"4000\r\n".to_vec();
            c.extend_from_slice(&filler);
            c.extend_from_slice(b"\r\n");
            c
        }
        Mode::EndlessHeaders => b"X-Hostile: "
            .iter()
            .chain(&filler[..1000])
            .chain(b"\r\n")
            .copied()
            .collect::<Vec<u8>>()
            .repeat(16),
        Mode::SoapHugeBody => b"<a>".repeat(5000),
        Mode::EndlessFtp => b"220-"
            .iter()
            .chain(&filler[..1000])
            .chain(b"\r\n")
            .copied()
            .collect::<Vec<u8>>()
            .repeat(16),
        _ => filler,
    };
    while started.elapsed() < HOLD {
        if let Mode::Drip = mode {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if s.write_all(b"X").await.is_err() {
                return;
            }
            continue;
        }
        match tokio::time::timeout(Duration::from_secs(10), s.write_all(&chunk)).await {
            Ok(Ok(())) => {}
            _ => return,
        }
    }
}

/// Listeners on every host and port; runs until the runtime is dropped.
async fn start_fleet() {
    for i in 1..=HOSTS {
        let ip = IpAddr::V4(addr(i));
        for (port, mode) in PORTS {
            // A small send buffer (inherited by accepted sockets): the hostile writers block
            // as soon as the scanner stops reading instead of burning the test's CPU.
            let sock = TcpSocket::new_v4().unwrap();
            sock.set_reuseaddr(true).unwrap();
            sock.set_send_buffer_size(32 * 1024).unwrap();
            sock.bind(SocketAddr::new(ip, port))
                .unwrap_or_else(|e| panic!("bind {ip}:{port}: {e}"));
            let l = sock.listen(1024).unwrap();
            tokio::spawn(async move {
                loop {
                    let Ok((s, _)) = l.accept().await else {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    };
                    tokio::spawn(serve(s, mode));
                }
            });
        }
    }
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn peak_memory_is_bounded_under_hostile_devices() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(start_fleet());
    let first = addr(1);
    let last = addr(HOSTS);
    let ports: Vec<String> = PORTS.iter().map(|(p, _)| p.to_string()).collect();
    let out = tempfile::NamedTempFile::new().unwrap();
    let started = std::time::Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_camguard"))
        .args([
            "scan",
            &format!("{first}-{last}"),
            "--ports",
            &ports.join(","),
            "--assess-all",
            "--format",
            "jsonl",
            "--quiet",
            "--output",
        ])
        .arg(out.path())
        .args(
            std::env::var("CAMGUARD_HOSTILE_ARGS")
                .unwrap_or_default()
                .split_whitespace(),
        )
        .env("CAMGUARD_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run camguard");
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read as _;
        let _ = e.read_to_string(&mut err);
    }
    drop(rt);
    let lines = std::fs::read_to_string(out.path()).unwrap();
    if let Some(keep) = std::env::var_os("CAMGUARD_HOSTILE_OUT") {
        let _ = std::fs::write(keep, &lines);
    }
    let hosts = lines.lines().count();
    // The hostile web ports must have been taken for web servers (and so assessed as such),
    // or this test would measure nothing.
    let web = lines
        .lines()
        .filter(|l| l.contains(r#"{"port":80,"transport":"tcp","service":"http"}"#))
        .count();
    eprintln!(
        "hostile fleet: {HOSTS} hosts x {} ports, scan took {:.1} s, peak RSS {} MB, {hosts} hosts reported, {web} with port 80 seen as http",
        PORTS.len(),
        started.elapsed().as_secs_f64(),
        peak / 1024
    );
    assert!(status.success(), "scan failed: {status} {err}");
    assert!(
        hosts as u32 >= HOSTS * 9 / 10,
        "only {hosts} of {HOSTS} hosts reported: {err}"
    );
    assert!(
        web as u32 >= HOSTS * 3 / 4,
        "only {web} of {HOSTS} hosts had port 80 taken for a web server: the hostile fleet was not served"
    );
    assert!(
        peak < LIMIT_KB,
        "peak RSS {} MB under hostile devices (limit {} MB)",
        peak / 1024,
        LIMIT_KB / 1024
    );
}
